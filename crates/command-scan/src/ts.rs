//! Rust argument and result types as the generated TypeScript spells them. The IPC
//! types keep their Rust names in TypeScript (ts-rs), so only the standard ones need a
//! rule here.

use syn::{GenericArgument, PathArguments, Type};

use crate::Command;

/// The last path segment's name (`tauri::State<'_, X>` → `State`).
pub(crate) fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Reference(r) => last_ident(&r.elem),
        _ => None,
    }
}

fn generics(ty: &Type) -> Vec<&Type> {
    let Type::Path(p) = ty else { return Vec::new() };
    let Some(last) = p.path.segments.last() else {
        return Vec::new();
    };
    let PathArguments::AngleBracketed(a) = &last.arguments else {
        return Vec::new();
    };
    a.args
        .iter()
        .filter_map(|g| match g {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// What a command answers: the `T` of `Result<T, IpcError>`, or the type itself.
pub(crate) fn ok_of(ty: &Type) -> Type {
    if last_ident(ty).as_deref() == Some("Result")
        && let Some(ok) = generics(ty).first()
    {
        return (*ok).clone();
    }
    ty.clone()
}

/// The TypeScript spelling of `ty`.
pub(crate) fn of(ty: &Type) -> Result<String, String> {
    if let Type::Tuple(t) = ty
        && t.elems.is_empty()
    {
        return Ok("null".into());
    }
    let name =
        last_ident(ty).ok_or_else(|| format!("a type the scanner cannot name: {}", quote(ty)))?;
    let inner = || {
        generics(ty)
            .first()
            .map(|t| of(t))
            .unwrap_or_else(|| Err(format!("{name} without its type argument")))
    };
    Ok(match name.as_str() {
        "String" | "str" | "PathBuf" => "string".into(),
        "bool" => "boolean".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" | "f32"
        | "f64" => "number".into(),
        "Option" => format!("{} | null", inner()?),
        "Vec" => {
            let t = inner()?;
            if t.contains(' ') {
                format!("({t})[]")
            } else {
                format!("{t}[]")
            }
        }
        "Result" | "HashMap" | "BTreeMap" | "Box" | "Arc" => {
            return Err(format!(
                "{name} in a command signature (say it as an IPC type)"
            ));
        }
        _ => name,
    })
}

fn quote(ty: &Type) -> String {
    quote::ToTokens::to_token_stream(ty).to_string()
}

/// The typed wrappers object of `bindings.ts`: one function per command.
pub fn wrappers(commands: &[Command]) -> String {
    let mut out = String::from(
        "\n/** Typed wrappers; each rejects with an `IpcError`. */\nexport const commands = {\n",
    );
    for cmd in commands {
        let params: Vec<String> = cmd.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let names: Vec<&str> = cmd.args.iter().map(|(n, _)| n.as_str()).collect();
        let payload = if names.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", names.join(", "))
        };
        out.push_str(&format!(
            "  {}: ({}): Promise<{}> => invoke(\"{}\"{}),\n",
            crate::camel(&cmd.name),
            params.join(", "),
            cmd.returns,
            cmd.name,
            payload
        ));
    }
    out.push_str("};\n");
    out
}
