//! fps-core's integration tests, one binary (the layout ripgrep uses): the CBUI parameter rules
//! through the public API, and property tests of the encoders and parsers.

mod params;
mod properties;
