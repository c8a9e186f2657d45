//! A lexical pass over a JavaScript module, enough for the inliner to know which
//! lines begin in top-level code (outside comments, strings, template literals,
//! regular expressions and every bracket) and where `import(` is called.
//!
//! `/` is read as the start of a regular expression after an operator, an opening
//! bracket, `}` or a keyword such as `return`, and as division after a name, a
//! number, `)` or `]`: the usual heuristic, wrong only for code like `a++ / 2`.
//! A misjudgement can only make the inliner refuse a file or leave an
//! `import`/`export` line unrewritten, and both end in a clear failure.

use super::is_name_char;

/// What the pass found.
pub struct Scan {
    /// For each line (0-based), whether it begins in top-level code.
    pub top_level: Vec<bool>,
    /// 1-based lines that call `import(...)`.
    pub dynamic_imports: Vec<usize>,
}

/// Words after which `/` starts a regular expression.
const BEFORE_EXPRESSION: [&str; 14] = [
    "return",
    "typeof",
    "case",
    "do",
    "else",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "instanceof",
    "yield",
    "await",
];

pub fn scan(text: &str) -> Scan {
    let c: Vec<char> = text.chars().collect();
    let mut s = State {
        top_level: vec![true],
        dynamic_imports: Vec::new(),
        depth: 0,
        templates: Vec::new(),
    };
    let mut regex_ok = true;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        match ch {
            '\n' => {
                let top = s.depth == 0 && s.templates.is_empty();
                s.top_level.push(top);
                i += 1;
            }
            '/' if next == Some('/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                i += 2;
                while i < c.len() && !(c[i] == '*' && c.get(i + 1) == Some(&'/')) {
                    s.newline_inside(c[i]);
                    i += 1;
                }
                i += 2;
            }
            '\'' | '"' => {
                i += 1;
                while i < c.len() && c[i] != ch && c[i] != '\n' {
                    if c[i] == '\\' {
                        i += 1;
                        s.newline_inside(c.get(i).copied().unwrap_or(' '));
                    }
                    i += 1;
                }
                i += 1;
                regex_ok = false;
            }
            '`' => {
                i = s.template_chunk(&c, i + 1);
                regex_ok = false;
            }
            '/' if regex_ok => {
                i = skip_regex(&c, i + 1);
                regex_ok = false;
            }
            '(' | '[' | '{' => {
                s.depth += 1;
                regex_ok = true;
                i += 1;
            }
            ')' | ']' | '}' => {
                s.depth = s.depth.saturating_sub(1);
                i += 1;
                if ch == '}' && s.templates.last() == Some(&s.depth) {
                    s.templates.pop();
                    i = s.template_chunk(&c, i);
                    regex_ok = false;
                } else {
                    regex_ok = ch == '}';
                }
            }
            _ if ch.is_alphanumeric() || ch == '_' || ch == '$' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '$') {
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                let after = c[i..].iter().find(|ch| !ch.is_whitespace());
                if word == "import" && after == Some(&'(') {
                    s.dynamic_imports.push(s.top_level.len());
                }
                regex_ok = BEFORE_EXPRESSION.contains(&word.as_str());
            }
            _ if ch.is_whitespace() => i += 1,
            _ => {
                regex_ok = true;
                i += 1;
            }
        }
    }
    Scan {
        top_level: s.top_level,
        dynamic_imports: s.dynamic_imports,
    }
}

struct State {
    top_level: Vec<bool>,
    dynamic_imports: Vec<usize>,
    /// Open brackets in code.
    depth: usize,
    /// For each open `${` of a template literal, the depth outside it.
    templates: Vec<usize>,
}

impl State {
    /// Records a line that begins inside a comment, string or template.
    fn newline_inside(&mut self, ch: char) {
        if ch == '\n' {
            self.top_level.push(false);
        }
    }

    /// Reads template text from `i` to the closing backtick or to `${`; returns
    /// the index after it.
    fn template_chunk(&mut self, c: &[char], mut i: usize) -> usize {
        while i < c.len() {
            match c[i] {
                '\\' => i += 1,
                '`' => return i + 1,
                '$' if c.get(i + 1) == Some(&'{') => {
                    self.templates.push(self.depth);
                    self.depth += 1;
                    return i + 2;
                }
                ch => self.newline_inside(ch),
            }
            i += 1;
        }
        i
    }
}

/// Skips a regular expression literal whose body starts at `i`.
fn skip_regex(c: &[char], mut i: usize) -> usize {
    let mut in_class = false;
    while i < c.len() && c[i] != '\n' {
        match c[i] {
            '\\' => i += 1,
            '[' => in_class = true,
            ']' => in_class = false,
            '/' if !in_class => {
                i += 1;
                while i < c.len() && c[i].is_alphanumeric() {
                    i += 1;
                }
                return i;
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The 1-based line where `name` is assigned or incremented, if any (skipping
/// its declaration).
pub fn reassigned(body: &str, name: &str) -> Option<usize> {
    const OPERATORS: [&str; 15] = [
        "+=", "-=", "*=", "/=", "%=", "**=", "&&=", "||=", "??=", "&=", "|=", "^=", "<<=", ">>=",
        "++",
    ];
    body.lines()
        .position(|line| {
            let declares = line.trim_start().starts_with(&format!("let {name}"))
                || line.trim_start().starts_with(&format!("var {name}"));
            line.match_indices(name).any(|(at, _)| {
                let before = line[..at].trim_end();
                let after = line[at + name.len()..].trim_start();
                let whole = !before.ends_with(|c: char| is_name_char(c) || c == '.')
                    && !after.starts_with(is_name_char);
                let assigns = (after.starts_with('=')
                    && !after.starts_with("==")
                    && !after.starts_with("=>"))
                    || OPERATORS.iter().any(|op| after.starts_with(op))
                    || after.starts_with("--");
                whole && !declares && (assigns || before.ends_with("++") || before.ends_with("--"))
            })
        })
        .map(|n| n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_top_level_through_strings_templates_regexes_and_comments() {
        let text = "import { a } from './a.js';\n\
                    const t = `x\nexport y ${ {b: 1}.b } z\n`;\n\
                    /* export\nno */ const r = /[/`]\\//g.test('`');\n\
                    function f() {\n  return a / 2;\n}\n\
                    export const x = 1;\n";
        let top = scan(text).top_level;
        let expected = [
            true, true, false, false, true, false, true, false, false, true, true,
        ];
        assert_eq!(top, expected);
    }

    #[test]
    fn finds_dynamic_imports_but_not_import_statements() {
        let found = scan("import { a } from './a.js';\nconst m = await import ('./m.js');\n");
        assert_eq!(found.dynamic_imports, [2]);
        assert!(scan("// import('x')\nconst s = 'import(';\n")
            .dynamic_imports
            .is_empty());
    }
}
