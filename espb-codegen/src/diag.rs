//! Diagnostics: what went wrong, in which function, at which C source line.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub function: Option<String>,
    /// C source file and line, from debug info when present.
    pub location: Option<(String, u32)>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            function: None,
            location: None,
        }
    }
    pub fn in_function(mut self, f: &str) -> Diagnostic {
        self.function = Some(f.to_string());
        self
    }
    pub fn at(mut self, loc: Option<(String, u32)>) -> Diagnostic {
        if self.location.is_none() {
            self.location = loc;
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((file, line)) = &self.location {
            write!(f, "{}:{}: ", file, line)?;
        }
        write!(f, "error: {}", self.message)?;
        if let Some(func) = &self.function {
            write!(f, " (in function `{}`)", func)?;
        }
        Ok(())
    }
}

/// Every problem found while translating a module.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn single(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", d)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
impl std::error::Error for Diagnostic {}
