//! `#[backend_test]`: written on an API test, `async fn name(backend: Backend)`, it keeps the
//! function and adds a module of the same name with two tests, `name::sqlite` and
//! `name::postgres` (ignored unless asked for with `--ignored`, as `.ci/run` does), so that a
//! test runs on both backends by being written, never by being listed somewhere else.
//!
//! The expansion names `Backend` as the function's own module sees it (`super::Backend`), so the
//! module must have `Backend` in scope, which its signature needs anyway.

use proc_macro::{Delimiter, TokenStream, TokenTree};

#[proc_macro_attribute]
pub fn backend_test(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return error("#[backend_test] takes no arguments");
    }
    let Some(name) = function_name(item.clone()) else {
        return error("#[backend_test] goes on `async fn name(backend: Backend) { … }`");
    };
    let tests: TokenStream = format!(
        r#"
        #[doc(hidden)]
        mod {name} {{
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {{
                super::{name}(super::Backend::Sqlite).await;
            }}

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "needs PostgreSQL: run by .ci/run with GREENLINE_TEST_POSTGRES_URL"]
            async fn postgres() {{
                super::{name}(super::Backend::Postgres).await;
            }}
        }}
        "#
    )
    .parse()
    .unwrap_or_else(|_| error("#[backend_test]: could not build the tests"));
    let mut out = item;
    out.extend(tests);
    out
}

/// The name after `async fn`, if the item is an async function.
fn function_name(item: TokenStream) -> Option<String> {
    let mut saw_async = false;
    let mut tokens = item.into_iter();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Ident(ident) if ident.to_string() == "async" => saw_async = true,
            TokenTree::Ident(ident) if ident.to_string() == "fn" => {
                return match tokens.next() {
                    Some(TokenTree::Ident(name)) if saw_async => Some(name.to_string()),
                    _ => None,
                };
            }
            // Attributes and their contents (`#[…]`) say nothing about the name.
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => return None,
            _ => {}
        }
    }
    None
}

fn error(message: &str) -> TokenStream {
    format!("::core::compile_error!({message:?});")
        .parse()
        .unwrap_or_default()
}
