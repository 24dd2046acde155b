//! The login dialogue of a device reached over telnet, bytes in and text out (no I/O): the user
//! name is echoed as typed, the password is not; Enter is CR, LF or CR LF; backspace edits.
//! The prompts and refusal are the personality's (`telnet:`), rendered with the device's
//! variables (`{{hostname}}`).

use crate::model::{DeviceVars, Model};
use crate::template::{Scope, Template};
use crate::text::crlf;

/// Longest user name or password kept (a flood is cut, not stored).
const MAX_FIELD: usize = 128;

/// What a chunk of input completed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Typed {
    /// Nothing yet.
    More,
    /// The user name line: ask for the password now.
    User,
    /// The password line.
    Done {
        /// The user name typed.
        user: String,
        /// The password typed.
        password: String,
    },
}

#[derive(Default)]
pub(crate) struct LoginDialog {
    user: Vec<u8>,
    password: Vec<u8>,
    asking_password: bool,
    after_cr: bool,
}

impl LoginDialog {
    /// Feeds typed bytes (echo of the user name goes to `echo`); stops at the first line that
    /// completes something and drops what follows it.
    pub fn feed(&mut self, data: &[u8], echo: &mut Vec<u8>) -> Typed {
        for &b in data {
            let after_cr = std::mem::take(&mut self.after_cr);
            match b {
                b'\n' if after_cr => {}
                b'\r' | b'\n' => {
                    self.after_cr = b == b'\r';
                    echo.extend_from_slice(b"\r\n");
                    return self.enter();
                }
                8 | 0x7f => {
                    let field = self.field();
                    if field.pop().is_some() && !self.asking_password {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0 => {}
                b if b < 0x20 => {}
                b => {
                    let asking_password = self.asking_password;
                    let field = self.field();
                    if field.len() < MAX_FIELD {
                        field.push(b);
                        if !asking_password {
                            echo.push(b);
                        }
                    }
                }
            }
        }
        Typed::More
    }

    fn field(&mut self) -> &mut Vec<u8> {
        if self.asking_password {
            &mut self.password
        } else {
            &mut self.user
        }
    }

    fn enter(&mut self) -> Typed {
        if !self.asking_password {
            self.asking_password = true;
            return Typed::User;
        }
        let done = Typed::Done {
            user: String::from_utf8_lossy(&self.user).into_owned(),
            password: String::from_utf8_lossy(&self.password).into_owned(),
        };
        let after_cr = self.after_cr;
        *self = LoginDialog {
            after_cr,
            ..LoginDialog::default()
        };
        done
    }
}

/// A personality text rendered with the device's variables, line ends as CR LF.
pub(crate) fn render(model: &Model, t: &Template) -> Vec<u8> {
    let st = model.state();
    let vars = DeviceVars::new(&model.p, &st, "", model.uptime());
    let text = t.to_string(&Scope {
        vars: &vars,
        parent: None,
    });
    let mut out = Vec::with_capacity(text.len() + 8);
    crlf(&text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_echoed_password_not_and_any_line_end_works() {
        let mut d = LoginDialog::default();
        let mut echo = Vec::new();
        assert_eq!(d.feed(b"admx\x7fin\r", &mut echo), Typed::User);
        assert_eq!(echo, b"admx\x08 \x08in\r\n");
        echo.clear();
        // The LF of CR LF is not a second Enter; the password is not echoed.
        assert_eq!(
            d.feed(b"\nsecret\r\n", &mut echo),
            Typed::Done {
                user: "admin".into(),
                password: "secret".into()
            }
        );
        assert_eq!(echo, b"\r\n");
        echo.clear();
        assert_eq!(d.feed(b"\n", &mut echo), Typed::More, "LF after the CR");
        assert_eq!(d.feed(b"x\ny\n", &mut echo), Typed::User);
    }
}
