//! fps-wire's integration tests, one binary: the published Signature Version 2 vectors.

mod vectors;
