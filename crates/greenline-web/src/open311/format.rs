//! The two formats of GeoReport v2 from one tree: JSON (lists are top-level arrays, no
//! wrapper) and XML (a root element, each list item in its own element). Codes and ids are
//! strings; times carry their offset; absent values are `null` in JSON and empty elements in
//! XML.

use std::fmt::Write as _;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The format a path asked for (`.json` or `.xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// The format of a file name (`requests.json`) and the name without it; XML, the format
    /// every server must serve, when the name has no known extension.
    pub fn split(file: &str) -> (&str, Format) {
        if let Some(stem) = file.strip_suffix(".json") {
            (stem, Format::Json)
        } else if let Some(stem) = file.strip_suffix(".xml") {
            (stem, Format::Xml)
        } else {
            (file, Format::Xml)
        }
    }
}

/// A value of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    Number(f64),
    /// A whole number (an error's code, an attribute's order).
    Integer(i64),
    Bool(bool),
    Null,
    /// Named fields, in order.
    Object(Vec<(String, Node)>),
    /// Items, each an element of this name in XML.
    List(&'static str, Vec<Node>),
}

impl Node {
    pub fn text(value: impl Into<String>) -> Node {
        Node::Text(value.into())
    }

    pub fn opt(value: Option<impl Into<String>>) -> Node {
        value.map_or(Node::Null, |v| Node::Text(v.into()))
    }

    pub fn object<const N: usize>(fields: [(&str, Node); N]) -> Node {
        Node::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Text(s) => Value::String(s.clone()),
            Node::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Node::Integer(n) => Value::from(*n),
            Node::Bool(b) => Value::Bool(*b),
            Node::Null => Value::Null,
            Node::Object(fields) => {
                Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.json())).collect())
            }
            Node::List(_, items) => Value::Array(items.iter().map(Node::json).collect()),
        }
    }

    fn xml(&self, name: &str, out: &mut String) {
        match self {
            Node::Null => {
                let _ = write!(out, "<{name}/>");
            }
            Node::Text(s) => {
                let _ = write!(out, "<{name}>{}</{name}>", escape(s));
            }
            Node::Number(n) => {
                let _ = write!(out, "<{name}>{n}</{name}>");
            }
            Node::Integer(n) => {
                let _ = write!(out, "<{name}>{n}</{name}>");
            }
            Node::Bool(b) => {
                let _ = write!(out, "<{name}>{b}</{name}>");
            }
            Node::Object(fields) => {
                let _ = write!(out, "<{name}>");
                for (key, value) in fields {
                    value.xml(key, out);
                }
                let _ = write!(out, "</{name}>");
            }
            Node::List(item, items) => {
                let _ = write!(out, "<{name}>");
                for value in items {
                    value.xml(item, out);
                }
                let _ = write!(out, "</{name}>");
            }
        }
    }
}

/// Text as XML character data: the five special characters escaped, characters XML 1.0 does
/// not allow left out.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A document: its XML root element's name and its tree.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: &'static str,
    pub node: Node,
}

impl Document {
    pub fn render(&self, format: Format) -> (HeaderValue, String) {
        match format {
            Format::Json => (
                HeaderValue::from_static("application/json; charset=utf-8"),
                self.node.json().to_string(),
            ),
            Format::Xml => {
                let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
                self.node.xml(self.root, &mut out);
                (HeaderValue::from_static("text/xml; charset=utf-8"), out)
            }
        }
    }

    pub fn respond(&self, status: StatusCode, format: Format) -> Response {
        let (content_type, body) = self.render(format);
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tree_renders_as_the_spec_shows_both_formats() {
        let doc = Document {
            root: "services",
            node: Node::List(
                "service",
                vec![Node::object([
                    ("service_code", Node::text("noise")),
                    ("metadata", Node::Bool(true)),
                    ("keywords", Node::text("a<b & \"c\"")),
                    ("group", Node::Null),
                ])],
            ),
        };
        let (_, json) = doc.render(Format::Json);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).expect("JSON"),
            serde_json::json!([{"service_code": "noise", "metadata": true,
                "keywords": "a<b & \"c\"", "group": null}])
        );
        let (_, xml) = doc.render(Format::Xml);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services><service>\
             <service_code>noise</service_code><metadata>true</metadata>\
             <keywords>a&lt;b &amp; &quot;c&quot;</keywords><group/></service></services>"
        );
    }

    #[test]
    fn the_extension_picks_the_format() {
        assert_eq!(Format::split("requests.json"), ("requests", Format::Json));
        assert_eq!(Format::split("requests.xml"), ("requests", Format::Xml));
        assert_eq!(Format::split("requests"), ("requests", Format::Xml));
        assert_eq!(escape("a\u{1}b"), "ab");
    }
}
