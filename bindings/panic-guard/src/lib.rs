//! # partnerdesk-panic-guard
//!
//! The bindings' last line against panics, as one piece of code shared by the Python, Node and
//! uniffi bindings: the attribute [`macro@entry_points`], put above a binding's `#[pymethods]`,
//! `#[napi]` or `#[uniffi::export]` block (or above a single exported function), runs the body
//! of every function in it under `std::panic::catch_unwind`, so that a panic (a bug in the core
//! or in the binding) reaches the host as the package's own error with code `INTERNAL`, never
//! as pyo3's `PanicException`, a dead Node process or uniffi's `InternalException`.
//!
//! Why a macro rather than a call in every function: the bindings have a few hundred entry
//! points, and a guard written by hand in each is one forgotten call away from a hole. The
//! attribute goes on the `impl` block, so a method added later is guarded without anyone
//! remembering to.
//!
//! What it generates: the body `{ .. }` of `fn f(..) -> R` becomes
//! `crate::panic_guard::run("Type.f", || -> R { .. })`. Each binding defines
//! `crate::panic_guard::run` (catch the panic, build its `INTERNAL` error). A function that
//! returns a plain value is changed to return the binding's result type (given as
//! `result = <path>`, generic over the value) wrapping it, so that it can fail with `INTERNAL`
//! too; pass `fallible_only` to leave such functions as they are (uniffi, where a new `throws`
//! would change the Swift API).
//!
//! Not guarded: functions with an `impl Trait` return type (a closure cannot name it), `async`
//! functions, and trait impls (`impl Generator for ..`), which keep their declared signature.
//!
//! Node arguments (`checked_args = crate::args::Checked`): every argument `name: T` of a
//! function that carries `#[napi]` becomes `name: Checked<T>` (`Option<Checked<T>>` for an
//! optional one), annotated with the TypeScript type napi's own generator gives `T` (so
//! `index.d.ts` does not change), and the body starts with `let name: T = name.get("name")?;`,
//! which turns a wrong JS type, a missing field, an unknown enumeration value or an invalid
//! `Date` into the core's typed error naming the argument (see the Node binding's `args`
//! module). References (`&Query`, `Either<&Query, String>`) and napi's own handles (`Env`,
//! callbacks) are left as they are.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, ImplItem, Item, ItemFn, ReturnType, Signature, Token, Type, parse_macro_input};

/// Arguments of [`macro@entry_points`].
struct Args {
    /// The result type that plain return values are wrapped in (`napi::Result` and so on).
    result: Option<syn::Path>,
    /// The error type given as the result's second parameter (`crate::error::Code`), if any.
    error: Option<Type>,
    /// Leave functions that return a plain value alone.
    fallible_only: bool,
    /// The Node binding's checked-argument wrapper (`crate::args::Checked`), if any.
    checked_args: Option<syn::Path>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Args {
            result: None,
            error: None,
            fallible_only: false,
            checked_args: None,
        };
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "result" => {
                    input.parse::<Token![=]>()?;
                    args.result = Some(input.parse()?);
                }
                "error" => {
                    input.parse::<Token![=]>()?;
                    args.error = Some(input.parse()?);
                }
                "fallible_only" => args.fallible_only = true,
                "checked_args" => {
                    input.parse::<Token![=]>()?;
                    args.checked_args = Some(input.parse()?);
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown argument `{other}` (expected result, error, fallible_only, checked_args)"
                        ),
                    ));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        if args.result.is_none() && !args.fallible_only {
            return Err(input.error("give `result = <path>` or `fallible_only`"));
        }
        Ok(args)
    }
}

/// Whether a return type is already a result (its last path segment is `Result` or
/// `PyResult`): its body may then fail with `INTERNAL` as it is.
fn is_result(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Result" || s.ident == "PyResult"),
        _ => false,
    }
}

/// Whether a type mentions `impl Trait` anywhere (a closure's return type cannot name it).
fn has_impl_trait(ty: &Type) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|t| matches!(t, proc_macro2::TokenTree::Ident(ref i) if i == "impl"))
}

/// `customer_id` as napi names it in JS: `customerId` (napi's own function and case rule).
fn camel(name: &str) -> String {
    napi_derive_backend::to_case(name, convert_case::Case::Camel)
}

/// Whether a type is left out of argument checking: references (napi tracks their borrows)
/// and napi's own handles.
fn unchecked(ty: &Type) -> bool {
    let tokens = ty.to_token_stream();
    let has_ref = tokens.clone().into_iter().any(|t| {
        matches!(t, proc_macro2::TokenTree::Punct(ref p) if p.as_char() == '&' || p.as_char() == '\'')
    });
    let text = tokens.to_string();
    has_ref
        || [
            "Env",
            "This",
            "ThreadsafeFunction",
            "Function",
            "FunctionRef",
            "Reference",
            "AbortSignal",
        ]
        .iter()
        .any(|h| {
            text.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == *h)
        })
}

/// `ty` without the invisible group a `macro_rules!` `$t:ty` fragment arrives in (a function
/// declared through a macro, such as `partnerdesk_host::spike_operations!`).
fn ungrouped(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => ungrouped(&g.elem),
        Type::Paren(p) => ungrouped(&p.elem),
        _ => ty,
    }
}

/// The inner type of `Option<T>`.
fn option_inner(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ungrouped(ty) else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    match a.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// The TypeScript type of `partnerdesk-host`'s host newtypes and the Node binding's actor
/// argument, which napi's generator would name by their Rust names: `HostDecimal` crosses as a
/// decimal string, `HostInstant` as a `Date`, `ActorArg` as a login or an `Actor` (their
/// `FromNapiValue` says so at run time, the generator cannot see it).
fn host_newtype_ts(ty: &Type) -> Option<&'static str> {
    let Type::Path(p) = ungrouped(ty) else {
        return None;
    };
    match p.path.segments.last()?.ident.to_string().as_str() {
        "HostDecimal" => Some("string"),
        "HostInstant" => Some("Date"),
        "HostDay" => Some("string"),
        "ActorArg" => Some("string | Actor"),
        "Secret" => Some("Buffer"),
        "Thresholds" => Some("Array<string>"),
        _ => None,
    }
}

/// The TypeScript type napi's generator gives an argument of type `ty`.
fn ts_type(ty: &Type) -> Option<String> {
    let ty = ungrouped(ty);
    if let Some(ts) = host_newtype_ts(ty) {
        return Some(ts.to_owned());
    }
    if let Some(ts) = option_inner(ty).as_ref().and_then(host_newtype_ts) {
        return Some(format!("{ts} | undefined | null"));
    }
    let ty3: syn3::Type = syn3::parse2(ty.to_token_stream()).ok()?;
    Some(napi_derive_backend::typegen::ty_to_ts_type(&ty3, false, false, false).0)
}

/// Whether the function is exported by napi (carries `#[napi]` or `#[napi(..)]`), and whether
/// that attribute gives the whole argument list's TypeScript (`ts_args_type`).
fn napi_export(attrs: &[syn::Attribute]) -> (bool, bool) {
    let napi: Vec<&syn::Attribute> = attrs.iter().filter(|a| a.path().is_ident("napi")).collect();
    let ts_args = napi
        .iter()
        .any(|a| a.to_token_stream().to_string().contains("ts_args_type"));
    (!napi.is_empty(), ts_args)
}

/// Rewrites the arguments of a napi function to `Checked<T>`; returns the statements that
/// unwrap them at the start of the body.
fn check_args(
    sig: &mut Signature,
    attrs: &[syn::Attribute],
    checked: &syn::Path,
) -> Vec<syn::Stmt> {
    let (exported, ts_args) = napi_export(attrs);
    let mut prelude = Vec::new();
    if !exported {
        return prelude;
    }
    for input in &mut sig.inputs {
        let syn::FnArg::Typed(arg) = input else {
            continue;
        };
        let syn::Pat::Ident(pat) = &*arg.pat else {
            continue;
        };
        if unchecked(&arg.ty) {
            continue;
        }
        let name = pat.ident.clone();
        let mutability = pat.mutability;
        let js = camel(&name.to_string());
        let original = (*arg.ty).clone();
        if !ts_args {
            let Some(ts) = ts_type(&original) else {
                continue;
            };
            arg.attrs
                .push(syn::parse_quote!(#[napi(ts_arg_type = #ts)]));
        }
        match option_inner(&original) {
            Some(inner) => {
                *arg.ty = syn::parse_quote!(::core::option::Option<#checked<#inner>>);
                prelude.push(syn::parse_quote!(
                    let #mutability #name: #original = match #name {
                        ::core::option::Option::Some(v) => ::core::option::Option::Some(v.get(#js)?),
                        ::core::option::Option::None => ::core::option::Option::None,
                    };
                ));
            }
            None => {
                *arg.ty = syn::parse_quote!(#checked<#original>);
                prelude
                    .push(syn::parse_quote!(let #mutability #name: #original = #name.get(#js)?;));
            }
        }
        if let syn::Pat::Ident(p) = &mut *arg.pat {
            p.mutability = None;
        }
    }
    prelude
}

/// Rewrites one function's signature and body; `owner` names it in the error (`Desk.search`).
fn guard(
    sig: &mut Signature,
    attrs: &[syn::Attribute],
    block: &mut syn::Block,
    owner: &str,
    args: &Args,
) {
    if sig.asyncness.is_some() {
        return;
    }

    let name = format!("{owner}{}", sig.ident);
    let (ret, wrap_ok) = match &sig.output {
        ReturnType::Type(_, ty) if has_impl_trait(ty) => return,
        ReturnType::Type(_, ty) if is_result(ty) => ((**ty).clone(), false),
        other => {
            if args.fallible_only {
                return;
            }
            let Some(result) = &args.result else { return };
            let inner: Type = match other {
                ReturnType::Type(_, ty) => (**ty).clone(),
                ReturnType::Default => syn::parse_quote!(()),
            };
            let ty: Type = match &args.error {
                Some(err) => syn::parse_quote!(#result<#inner, #err>),
                None => syn::parse_quote!(#result<#inner>),
            };
            sig.output = syn::parse_quote!(-> #ty);
            (ty, true)
        }
    };
    let prelude = match &args.checked_args {
        Some(checked) => check_args(sig, attrs, checked),
        None => Vec::new(),
    };
    let body = block.clone();
    let inner: TokenStream2 = if wrap_ok {
        quote!(#(#prelude)* ::core::result::Result::Ok(#body))
    } else {
        quote!(#(#prelude)* #body)
    };
    *block = syn::parse_quote!({
        crate::panic_guard::run(#name, || -> #ret { #inner })
    });
}

/// Runs the body of every function of the annotated `impl` block (or the annotated function)
/// under `catch_unwind`, through the binding's `crate::panic_guard::run`, so that a panic
/// becomes the binding's `INTERNAL` error.
///
/// Put it above the binding's own attribute (`#[pymethods]`, `#[napi]`,
/// `#[uniffi::export]`), so that attribute sees the guarded functions:
///
/// ```ignore
/// #[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
/// #[pymethods]
/// impl PyDesk { /* .. */ }
/// ```
#[proc_macro_attribute]
pub fn entry_points(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = parse_macro_input!(attr as Args);
    let mut item = parse_macro_input!(item as Item);
    match &mut item {
        Item::Impl(imp) if imp.trait_.is_none() => {
            let owner = match &*imp.self_ty {
                Type::Path(p) => p
                    .path
                    .segments
                    .last()
                    .map(|s| format!("{}.", s.ident))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            for it in &mut imp.items {
                if let ImplItem::Fn(f) = it {
                    guard(&mut f.sig, &f.attrs, &mut f.block, &owner, &args);
                }
            }
        }
        Item::Fn(ItemFn {
            sig, block, attrs, ..
        }) => guard(sig, attrs, &mut *block, "", &args),
        other => {
            return syn::Error::new_spanned(
                other,
                "entry_points goes on an inherent impl block or a function",
            )
            .to_compile_error()
            .into();
        }
    }
    item.into_token_stream().into()
}

/// Gives each field of a `#[napi(object)]` struct whose type is one of `partnerdesk-host`'s
/// host newtypes (or an `Option` of one) the TypeScript type it crosses as
/// (`#[napi(ts_type = ..)]`), which napi's generator cannot see (see `host_newtype_ts`).
///
/// Put it above `#[napi(object)]`; the Node binding's expansion of the declared operations
/// uses it for their options objects, whose field types come from a macro.
#[proc_macro_attribute]
pub fn ts_fields(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut item = parse_macro_input!(item as syn::ItemStruct);
    for field in &mut item.fields {
        let ty = ungrouped(&field.ty);
        let ts =
            host_newtype_ts(ty).or_else(|| option_inner(ty).as_ref().and_then(host_newtype_ts));
        if let Some(ts) = ts {
            field.attrs.push(syn::parse_quote!(#[napi(ts_type = #ts)]));
        }
    }
    item.into_token_stream().into()
}

/// Arguments of [`macro@host_record`]: `python(..)` (the record is a Python class, with these
/// `pyclass` options besides `frozen, get_all` and the module) and `node(..)` (options of
/// `#[napi(object, ..)]`), each optional.
struct RecordArgs {
    /// The Python class's options (`eq, hash`, `name = "Operator"`), when it is one.
    python: Option<TokenStream2>,
    /// Options of the JS object (`object_from_js = false`).
    node: Option<TokenStream2>,
}

impl Parse for RecordArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = RecordArgs {
            python: None,
            node: None,
        };
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            let inner;
            syn::parenthesized!(inner in input);
            let tokens: TokenStream2 = inner.parse()?;
            match key.to_string().as_str() {
                "python" => args.python = Some(tokens),
                "node" => args.node = Some(tokens),
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        "expected python(..) or node(..)",
                    ));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// A record every host receives, declared once in `partnerdesk-host`: gives the struct its
/// shape in each host behind that crate's features, a `uniffi::Record` (a Kotlin data class
/// and a Swift struct), a `#[napi(object)]` (a plain JS object typed in `index.d.ts`) and,
/// with `python(..)`, a frozen Python class with a getter for each field in the module
/// `partnerdesk` (`python(eq, hash)`, `python(name = "Operator", eq, hash)`).
///
/// Why an attribute: the three hosts' attributes were the same six lines above each of some
/// forty records. Field attributes (`#[cfg_attr(feature = "node", napi(ts_type = ..))]`) stay
/// on the fields.
#[proc_macro_attribute]
pub fn host_record(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = parse_macro_input!(attr as RecordArgs);
    let item: TokenStream2 = item.into();
    let node = args.node.map(|n| quote!(, #n));
    let python = args.python.map(|p| {
        let p = if p.is_empty() { p } else { quote!(#p,) };
        quote! {
            #[cfg_attr(
                feature = "python",
                pyo3::pyclass(frozen, get_all, #p module = "partnerdesk")
            )]
        }
    });
    quote! {
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        #[cfg_attr(feature = "node", napi_derive::napi(object #node))]
        #python
        #item
    }
    .into()
}
