//! A tiny XML writer for Query API responses: elements, escaped text, nothing more.

use std::fmt::Write as _;

/// Escapes text for XML content or a double-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes element text: `&`, `<`, `>` (quotes stay as they are, as FPS wrote them).
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An XML document being written.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
    open: Vec<&'static str>,
}

impl Xml {
    /// A document starting with the XML declaration.
    pub fn new() -> Self {
        Xml {
            out: String::from("<?xml version=\"1.0\"?>\n"),
            open: Vec::new(),
        }
    }

    /// Opens an element carrying a default namespace.
    pub fn open_ns(&mut self, name: &'static str, namespace: &str) -> &mut Self {
        let _ = write!(self.out, "<{name} xmlns=\"{}\">", escape(namespace));
        self.open.push(name);
        self
    }

    /// Opens an element.
    pub fn open(&mut self, name: &'static str) -> &mut Self {
        let _ = write!(self.out, "<{name}>");
        self.open.push(name);
        self
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) -> &mut Self {
        if let Some(name) = self.open.pop() {
            let _ = write!(self.out, "</{name}>");
        }
        self
    }

    /// Writes `<name>text</name>`.
    pub fn leaf(&mut self, name: &'static str, text: &str) -> &mut Self {
        let _ = write!(self.out, "<{name}>{}</{name}>", escape_text(text));
        self
    }

    /// Writes `<name>text</name>` when there is a text.
    pub fn leaf_opt(&mut self, name: &'static str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.leaf(name, text);
        }
        self
    }

    /// Closes every open element and returns the document.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_escaped_elements() {
        let mut xml = Xml::new();
        xml.open_ns("PayResponse", "http://fps.amazonaws.com/doc/2010-08-28/")
            .open("PayResult")
            .leaf("TransactionId", "A<&>\"'")
            .leaf_opt("Missing", None)
            .close();
        assert_eq!(
            xml.finish(),
            "<?xml version=\"1.0\"?>\n<PayResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\"><PayResult>\
             <TransactionId>A&lt;&amp;&gt;\"'</TransactionId></PayResult></PayResponse>"
        );
    }
}
