//! `${NAME}` templates: parsed at load time, rendered at run time.

use super::model::{Template, TemplatePart};

/// A `${NAME}` in a string, with its byte offset and length (of `${NAME}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    pub offset: usize,
    pub len: usize,
}

/// A malformed `${`, with where it is in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub label: String,
}

/// Whether `s` is a variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits `s` into literal text and `${NAME}` references; `$${` is a literal `${`. Every
/// malformed reference is reported, not only the first.
pub fn parse_template(s: &str) -> Result<(Template, Vec<VarRef>), Vec<TemplateError>> {
    let mut parts = Vec::new();
    let mut refs = Vec::new();
    let mut errors = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with("$${") {
            literal.push_str("${");
            i += 3;
        } else if rest.starts_with("${") {
            match rest.find('}') {
                None => {
                    errors.push(TemplateError {
                        offset: i,
                        len: 2,
                        message: "unclosed `${`".into(),
                        label: "no `}` after it; write `$${` for a literal `${`".into(),
                    });
                    break;
                }
                Some(close) => {
                    let name = &rest[2..close];
                    if is_var_name(name) {
                        if !literal.is_empty() {
                            parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
                        }
                        parts.push(TemplatePart::Var(name.to_string()));
                        refs.push(VarRef {
                            name: name.to_string(),
                            offset: i,
                            len: close + 1,
                        });
                    } else {
                        errors.push(TemplateError {
                            offset: i,
                            len: close + 1,
                            message: format!("`{}` is not a variable name", &rest[..=close]),
                            label: "a name is letters, digits and `_`, not starting with a digit"
                                .into(),
                        });
                    }
                    i += close + 1;
                }
            }
        } else {
            let c = rest.chars().next().expect("i < len");
            literal.push(c);
            i += c.len_utf8();
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !literal.is_empty() || parts.is_empty() {
        parts.push(TemplatePart::Literal(literal));
    }
    Ok((Template { parts }, refs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_literals_and_variables() {
        let (t, refs) = parse_template("Hi ${NAME}, ${_x1}!").unwrap();
        assert_eq!(
            t.parts,
            vec![
                TemplatePart::Literal("Hi ".into()),
                TemplatePart::Var("NAME".into()),
                TemplatePart::Literal(", ".into()),
                TemplatePart::Var("_x1".into()),
                TemplatePart::Literal("!".into()),
            ]
        );
        assert_eq!(
            refs[0],
            VarRef {
                name: "NAME".into(),
                offset: 3,
                len: 7
            }
        );
        assert_eq!(t.to_string(), "Hi ${NAME}, ${_x1}!");
    }

    #[test]
    fn double_dollar_is_a_literal() {
        let (t, refs) = parse_template("cost $${X} $5 {").unwrap();
        assert_eq!(
            t.parts,
            vec![TemplatePart::Literal("cost ${X} $5 {".into())]
        );
        assert!(refs.is_empty());
    }

    #[test]
    fn plain_strings_and_empty_strings_are_one_literal() {
        assert_eq!(parse_template("").unwrap().0, Template::literal(""));
        assert_eq!(
            parse_template("#login").unwrap().0,
            Template::literal("#login")
        );
    }

    #[test]
    fn reports_every_malformed_reference() {
        let errs = parse_template("${1X} ${} ${OK} ${a-b").unwrap_err();
        assert_eq!(errs.len(), 3);
        assert_eq!((errs[0].offset, errs[0].len), (0, 5));
        assert_eq!((errs[1].offset, errs[1].len), (6, 3));
        assert_eq!(errs[2].message, "unclosed `${`");
        assert_eq!(errs[2].offset, 16);
    }

    #[test]
    fn variable_names() {
        assert!(is_var_name("A_b9"));
        assert!(is_var_name("_"));
        assert!(!is_var_name("9a"));
        assert!(!is_var_name(""));
        assert!(!is_var_name("a-b"));
    }
}
