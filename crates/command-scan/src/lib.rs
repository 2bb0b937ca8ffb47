//! The IPC commands as the shell declares them. The shell's build script takes their
//! names for the command permissions, and `cargo xtask bindings` their signatures for
//! the typed TypeScript wrappers, so nothing repeats a command's spelling by hand: the
//! `#[tauri::command]` function is the one place (issue 11: "command signatures
//! generated from the Rust functions").

mod ts;

use std::path::{Path, PathBuf};

use syn::{FnArg, Item, Pat, ReturnType};

pub use ts::wrappers;

/// One command: its Tauri name, its arguments as the UI passes them, its TS result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub name: String,
    /// (the argument's name in the invoke payload, its TypeScript type)
    pub args: Vec<(String, String)>,
    pub returns: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not Rust the scanner can parse: {source}")]
    Parse { path: PathBuf, source: syn::Error },
    #[error("{file}: command `{command}`: {what}")]
    Unsupported {
        file: PathBuf,
        command: String,
        what: String,
    },
    #[error("no generate_handler![…] in {0}")]
    NoHandler(PathBuf),
    #[error(
        "`{0}` is registered in generate_handler! but no #[tauri::command] of that name was found"
    )]
    NotDeclared(String),
    #[error("#[tauri::command] `{0}` is not registered in generate_handler!")]
    NotRegistered(String),
}

/// Every command of the shell at `shell` (the folder holding `lib.rs` and `commands/`),
/// in the order `lib.rs` registers them. A command that is declared but not registered,
/// or registered but not declared, is an error: the UI could not call it.
pub fn scan(shell: &Path) -> Result<Vec<Command>, ScanError> {
    let mut declared = Vec::new();
    for file in rust_files(&shell.join("commands"))? {
        declared.extend(commands_in(&file)?);
    }
    let registered = registered(&shell.join("lib.rs"))?;
    if let Some(c) = declared.iter().find(|c| !registered.contains(&c.name)) {
        return Err(ScanError::NotRegistered(c.name.clone()));
    }
    registered
        .into_iter()
        .map(|name| {
            declared
                .iter()
                .find(|c| c.name == name)
                .cloned()
                .ok_or(ScanError::NotDeclared(name))
        })
        .collect()
}

fn parse(path: &Path) -> Result<syn::File, ScanError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScanError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    syn::parse_file(&text).map_err(|source| ScanError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, ScanError> {
    let read = |source| ScanError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read)? {
        let path = entry.map_err(read)?.path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn is_command(attr: &syn::Attribute) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments == ["tauri", "command"] || segments == ["command"]
}

/// Arguments Tauri fills in itself; the UI never passes them.
const INJECTED: &[&str] = &["State", "AppHandle", "Window", "WebviewWindow", "Webview"];

fn commands_in(file: &Path) -> Result<Vec<Command>, ScanError> {
    let mut out = Vec::new();
    for item in parse(file)?.items {
        let Item::Fn(f) = item else { continue };
        if !f.attrs.iter().any(is_command) {
            continue;
        }
        let name = f.sig.ident.to_string();
        let unsupported = |what: String| ScanError::Unsupported {
            file: file.to_path_buf(),
            command: name.clone(),
            what,
        };
        let mut args = Vec::new();
        for input in &f.sig.inputs {
            let FnArg::Typed(arg) = input else {
                return Err(unsupported("a method, not a free function".into()));
            };
            if ts::last_ident(&arg.ty).is_some_and(|i| INJECTED.contains(&i.as_str())) {
                continue;
            }
            let Pat::Ident(ident) = &*arg.pat else {
                return Err(unsupported(
                    "an argument that is a pattern, not a name".into(),
                ));
            };
            let ty = ts::of(&arg.ty).map_err(&unsupported)?;
            // Tauri's default: the payload's keys are the arguments in camelCase.
            args.push((camel(&ident.ident.to_string()), ty));
        }
        let returns = match &f.sig.output {
            ReturnType::Default => "null".to_owned(),
            ReturnType::Type(_, ty) => ts::of(&ts::ok_of(ty)).map_err(&unsupported)?,
        };
        out.push(Command {
            name,
            args,
            returns,
        });
    }
    Ok(out)
}

/// The command names in `generate_handler![…]`, in order.
fn registered(lib: &Path) -> Result<Vec<String>, ScanError> {
    let file = parse(lib)?;
    let mut found = None;
    find_handler(&file, &mut found);
    let tokens = found.ok_or_else(|| ScanError::NoHandler(lib.to_path_buf()))?;
    let paths = syn::parse::Parser::parse2(
        syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        tokens,
    )
    .map_err(|source| ScanError::Parse {
        path: lib.to_path_buf(),
        source,
    })?;
    Ok(paths
        .iter()
        .filter_map(|p| p.segments.last().map(|s| s.ident.to_string()))
        .collect())
}

fn find_handler(file: &syn::File, found: &mut Option<proc_macro2::TokenStream>) {
    use syn::visit::Visit;
    struct Finder<'a>(&'a mut Option<proc_macro2::TokenStream>);
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            if m.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "generate_handler")
            {
                *self.0 = Some(m.tokens.clone());
            }
        }
    }
    Finder(found).visit_file(file);
}

/// Tauri's renaming of argument names (snake_case → camelCase).
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
