//! Payment instructions of InstallPaymentInstruction: the subset of Amazon's Gatekeeper (GK)
//! language the emulator evaluates when a caller or recipient token takes part in a payment.
//!
//! An instruction is one or more statements, each ended by `;` (the last `;` may be left out):
//!
//! ```text
//! statement := VARIABLE OP 'LITERAL' [orSay 'MESSAGE']
//! VARIABLE  := MyRole | PaymentMethod | TransactionAmount
//! OP        := == | != | < | <= | > | >=      (only == and != for MyRole and PaymentMethod)
//! ```
//!
//! `MyRole` is the role the token is presented in (`'Caller'`, `'Recipient'` or `'Sender'`),
//! `PaymentMethod` the sender token's method (`'ABT'`, `'ACH'`, `'CC'`), `TransactionAmount` the
//! payment's amount, written `'USD 10.00'`. Every statement must hold; the first that does not
//! refuses the payment with its `orSay` message. Anything else (other variables, `and`/`or`,
//! parentheses, functions) is refused when the instruction is installed, so an instruction the
//! emulator accepts is one it evaluates in full.

use fps_core::Amount;

/// Longest instruction accepted, in bytes.
pub const MAX_INSTRUCTION: usize = 2048;
/// Most statements in one instruction.
pub const MAX_STATEMENTS: usize = 16;

/// The role a token is presented in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `CallerTokenId`.
    Caller,
    /// `RecipientTokenId`.
    Recipient,
    /// `SenderTokenId`.
    Sender,
}

impl Role {
    /// The GK spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caller => "Caller",
            Role::Recipient => "Recipient",
            Role::Sender => "Sender",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Role::Caller, Role::Recipient, Role::Sender]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// What a statement is evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct Payment<'a> {
    /// The role the token is presented in.
    pub role: Role,
    /// The sender token's payment method (`ABT`, `ACH`, `CC`).
    pub payment_method: &'a str,
    /// The amount, in cents.
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn holds<T: PartialOrd>(self, left: T, right: T) -> bool {
        match self {
            Op::Eq => left == right,
            Op::Ne => left != right,
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    Role(Op, Role),
    PaymentMethod(Op, String),
    Amount(Op, i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    condition: Condition,
    message: Option<String>,
}

/// A parsed payment instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    statements: Vec<Statement>,
}

/// Why an instruction is refused at installation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InstructionError(String);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Text(String),
    Op(Op),
    End,
}

fn tokens(text: &str) -> Result<Vec<Token>, InstructionError> {
    let fail = |why: String| Err(InstructionError(why));
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            ';' => out.push(Token::End),
            '\'' => {
                let mut literal = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, c)) if c.is_control() => {
                            return fail("a quoted text holds a control character".into())
                        }
                        Some((_, c)) => literal.push(c),
                        None => return fail(format!("the quote at byte {at} is not closed")),
                    }
                }
                out.push(Token::Text(literal));
            }
            '=' | '!' | '<' | '>' => {
                let equals = chars.next_if(|(_, n)| *n == '=').is_some();
                let op = match (c, equals) {
                    ('=', true) => Op::Eq,
                    ('!', true) => Op::Ne,
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Ge,
                    _ => return fail(format!("unknown operator at byte {at} (use == != < <= > >=)")),
                };
                out.push(Token::Op(op));
            }
            c if c.is_ascii_alphabetic() => {
                let mut word = String::from(c);
                while let Some((_, n)) = chars.next_if(|(_, n)| n.is_ascii_alphanumeric()) {
                    word.push(n);
                }
                out.push(Token::Word(word));
            }
            other => {
                return fail(format!(
                    "{:?} at byte {at} is outside the GK subset the sandbox evaluates",
                    other
                ))
            }
        }
    }
    Ok(out)
}

/// Reads `'USD 10.00'` into cents.
fn amount_literal(text: &str) -> Option<i64> {
    let value = text.strip_prefix("USD ")?;
    i64::try_from(Amount::parse(value).ok()?.minor_units()).ok()
}

fn condition(variable: &str, op: Op, literal: &str) -> Result<Condition, InstructionError> {
    let equality_only = |name: &str| InstructionError(format!("{name} can only be compared with == or !="));
    match variable {
        "MyRole" => {
            if !matches!(op, Op::Eq | Op::Ne) {
                return Err(equality_only("MyRole"));
            }
            let role = Role::parse(literal).ok_or_else(|| {
                InstructionError(format!(
                    "MyRole is compared with {literal:?}; use 'Caller', 'Recipient' or 'Sender'"
                ))
            })?;
            Ok(Condition::Role(op, role))
        }
        "PaymentMethod" => {
            if !matches!(op, Op::Eq | Op::Ne) {
                return Err(equality_only("PaymentMethod"));
            }
            if !["ABT", "ACH", "CC"].contains(&literal) {
                return Err(InstructionError(format!(
                    "PaymentMethod is compared with {literal:?}; use 'ABT', 'ACH' or 'CC'"
                )));
            }
            Ok(Condition::PaymentMethod(op, literal.to_owned()))
        }
        "TransactionAmount" => amount_literal(literal)
            .map(|cents| Condition::Amount(op, cents))
            .ok_or_else(|| {
                InstructionError(format!(
                    "TransactionAmount is compared with {literal:?}; write an amount like 'USD 10.00'"
                ))
            }),
        other => Err(InstructionError(format!(
            "{other:?} is not a variable the sandbox evaluates (MyRole, PaymentMethod, TransactionAmount)"
        ))),
    }
}

impl Instruction {
    /// Parses an instruction; anything outside the subset is an error naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, InstructionError> {
        if text.len() > MAX_INSTRUCTION {
            return Err(InstructionError(format!("longer than {MAX_INSTRUCTION} bytes")));
        }
        let mut statements = Vec::new();
        let mut rest = tokens(text)?.into_iter().peekable();
        while rest.peek().is_some() {
            let parts: Vec<Token> = rest.by_ref().take_while(|t| *t != Token::End).collect();
            if parts.is_empty() {
                continue;
            }
            let statement = match parts.as_slice() {
                [Token::Word(variable), Token::Op(op), Token::Text(literal)] => Statement {
                    condition: condition(variable, *op, literal)?,
                    message: None,
                },
                [Token::Word(variable), Token::Op(op), Token::Text(literal), Token::Word(or_say), Token::Text(message)]
                    if or_say == "orSay" =>
                {
                    Statement {
                        condition: condition(variable, *op, literal)?,
                        message: Some(message.clone()),
                    }
                }
                _ => {
                    return Err(InstructionError(format!(
                        "statement {} is not VARIABLE OP 'VALUE' [orSay 'MESSAGE']",
                        statements.len() + 1
                    )))
                }
            };
            statements.push(statement);
            if statements.len() > MAX_STATEMENTS {
                return Err(InstructionError(format!("more than {MAX_STATEMENTS} statements")));
            }
        }
        if statements.is_empty() {
            return Err(InstructionError("holds no statement".into()));
        }
        Ok(Instruction { statements })
    }

    /// Checks every statement against a payment; the first that does not hold gives its
    /// `orSay` message (or says which statement failed).
    pub fn allows(&self, payment: &Payment<'_>) -> Result<(), String> {
        for (n, statement) in self.statements.iter().enumerate() {
            let holds = match &statement.condition {
                Condition::Role(op, role) => op.holds(payment.role.as_str(), role.as_str()),
                Condition::PaymentMethod(op, method) => op.holds(payment.payment_method, method.as_str()),
                Condition::Amount(op, cents) => op.holds(payment.amount_minor, *cents),
            };
            if !holds {
                return Err(statement.message.clone().unwrap_or_else(|| {
                    format!("statement {} of the payment instruction does not hold", n + 1)
                }));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(role: Role, method: &'static str, amount_minor: i64) -> Payment<'static> {
        Payment {
            role,
            payment_method: method,
            amount_minor,
        }
    }

    #[test]
    fn evaluates_the_role_statements_clients_install() {
        for text in [
            "MyRole == 'Caller' orSay 'Role does not match';",
            "MyRole=='Caller' orSay 'Roles do not match';",
            "MyRole == 'Caller';",
            "  MyRole == 'Caller'  ",
        ] {
            let i = Instruction::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(i.allows(&payment(Role::Caller, "CC", 100)), Ok(()));
            assert!(i.allows(&payment(Role::Recipient, "CC", 100)).is_err(), "{text}");
        }
        let i = Instruction::parse("MyRole == 'Recipient' orSay 'Role does not match';").unwrap();
        assert_eq!(
            i.allows(&payment(Role::Caller, "ABT", 5)),
            Err("Role does not match".to_owned())
        );
        assert_eq!(i.allows(&payment(Role::Recipient, "ABT", 5)), Ok(()));
    }

    #[test]
    fn every_statement_must_hold() {
        let i = Instruction::parse(
            "MyRole == 'Recipient'; PaymentMethod != 'ACH' orSay 'no bank transfers'; \
             TransactionAmount <= 'USD 10.00' orSay 'at most ten dollars'; TransactionAmount > 'USD 0.50'",
        )
        .unwrap();
        assert_eq!(i.allows(&payment(Role::Recipient, "CC", 1000)), Ok(()));
        assert_eq!(
            i.allows(&payment(Role::Recipient, "ACH", 100)),
            Err("no bank transfers".to_owned())
        );
        assert_eq!(
            i.allows(&payment(Role::Recipient, "CC", 1001)),
            Err("at most ten dollars".to_owned())
        );
        assert_eq!(
            i.allows(&payment(Role::Recipient, "CC", 50)),
            Err("statement 4 of the payment instruction does not hold".to_owned())
        );
        assert!(i.allows(&payment(Role::Sender, "CC", 100)).is_err());
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        for bad in [
            "",
            ";;",
            "MyRole = 'Caller';",
            "MyRole == 'Owner';",
            "MyRole < 'Caller';",
            "MyRole == Caller;",
            "MyRole == 'Caller' orSay;",
            "MyRole == 'Caller' orElse 'x';",
            "MyRole == 'Caller' and PaymentMethod == 'CC';",
            "(MyRole == 'Caller');",
            "Sender == 'someone';",
            "PaymentMethod == 'Cash';",
            "TransactionAmount < '10';",
            "TransactionAmount < 'USD 1.234';",
            "MyRole == 'Caller",
            "MyRole == 'Caller\u{7}';",
        ] {
            assert!(Instruction::parse(bad).is_err(), "{bad:?}");
        }
        let long = "MyRole == 'Caller';".repeat(MAX_STATEMENTS + 1);
        assert!(Instruction::parse(&long).is_err());
        assert!(Instruction::parse(&"x".repeat(MAX_INSTRUCTION + 1)).is_err());
        let message = Instruction::parse("Colour == 'red';").unwrap_err().to_string();
        assert!(message.contains("Colour"), "{message}");
    }
}
