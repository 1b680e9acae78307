//! Where `mrtd read` takes the access password (MRZ key or CAN) from, so that it need not appear on the
//! command line (where other users can see it in the process list and it lands in the shell history).
//!
//! Precedence, first found wins:
//! 1. flags: `--can`, `--mrz`, `--doc` `--dob` `--expiry`;
//! 2. files: `--can-file`, `--mrz-file` (`-` reads standard input);
//! 3. environment: `MRTD_CAN`, `MRTD_MRZ`, `MRTD_DOC` + `MRTD_DOB` + `MRTD_EXPIRY`;
//! 4. a prompt with hidden input, only when standard input and standard error are a terminal.
//!
//! Otherwise the read stops with an error naming every way to give it (exit 2). No value read here is
//! ever printed, and the text is zeroized once parsed.

use crate::ReadArgs;
use anyhow::{Context, anyhow, bail};
use icao9303::access::Password;
use icao9303::mrz::{Mrz, MrzError, MrzKey, ParseOptions};
use std::io::{IsTerminal, Read};
use std::path::Path;
use zeroize::Zeroizing;

/// The environment variable holding the CAN.
pub(crate) const ENV_CAN: &str = "MRTD_CAN";
/// The environment variable holding the whole MRZ (2 or 3 lines; line breaks optional).
pub(crate) const ENV_MRZ: &str = "MRTD_MRZ";
/// The environment variables holding document number, date of birth and date of expiry (all three).
pub(crate) const ENV_TRIPLE: [&str; 3] = ["MRTD_DOC", "MRTD_DOB", "MRTD_EXPIRY"];

/// The password for `args`, from the first source the precedence names (module documentation).
pub(crate) fn password(args: &ReadArgs) -> anyhow::Result<Password> {
    let options = ParseOptions {
        allow_bad_check_digits: args.allow_bad_check_digits,
    };
    // 1. Flags.
    if let Some(can) = &args.can {
        return Ok(Password::can(can)?);
    }
    if let Some(text) = &args.mrz {
        return mrz(text, options).context("--mrz");
    }
    if let (Some(doc), Some(dob), Some(expiry)) = (&args.doc, &args.dob, &args.expiry) {
        return Ok(Password::Mrz(MrzKey::new(doc, dob, expiry)?));
    }
    // 2. Files.
    if let Some(path) = &args.can_file {
        let text = read_secret(path).context("--can-file")?;
        return Password::can(&text).with_context(|| format!("--can-file {}", path.display()));
    }
    if let Some(path) = &args.mrz_file {
        let text = read_secret(path).context("--mrz-file")?;
        return mrz(&text, options).with_context(|| format!("--mrz-file {}", path.display()));
    }
    // 3. Environment.
    if let Some(can) = env(ENV_CAN) {
        return Password::can(&can).context(ENV_CAN);
    }
    if let Some(text) = env(ENV_MRZ) {
        return mrz(&text, options).context(ENV_MRZ);
    }
    let triple: Vec<_> = ENV_TRIPLE.iter().map(|name| env(name)).collect();
    if triple.iter().any(Option::is_some) {
        let missing: Vec<&str> = ENV_TRIPLE
            .iter()
            .zip(&triple)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            bail!(
                "{} set but {} not: the MRZ key needs all three",
                ENV_TRIPLE.join(", "),
                missing.join(", ")
            );
        }
        if let [Some(doc), Some(dob), Some(expiry)] = triple.as_slice() {
            return Ok(Password::Mrz(MrzKey::new(doc, dob, expiry)?));
        }
    }
    // 4. Prompt.
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        return prompt(options);
    }
    Err(anyhow!(
        "no password for the chip: give --doc --dob --expiry, --mrz or --can; or --mrz-file / --can-file \
         (a file holding it, - for standard input); or the environment variables {ENV_MRZ}, {ENV_CAN}, or \
         {} (standard input is not a terminal, so there is no prompt)",
        ENV_TRIPLE.join(" + ")
    ))
}

/// The MRZ key of a whole MRZ. A wrong check digit says how to accept it when the document really
/// carries it.
fn mrz(text: &str, options: ParseOptions) -> anyhow::Result<Password> {
    let parsed = Mrz::parse_with(text.trim(), options).map_err(|e| match e {
        e @ MrzError::CheckDigit { .. } => anyhow!(
            "{e} (check what was typed; if the document really carries this check digit, as some issued \
             documents do, give --allow-bad-check-digits)"
        ),
        e => e.into(),
    })?;
    Ok(Password::Mrz(parsed.key()?))
}

/// A non-empty environment variable (an empty one counts as not set).
fn env(name: &str) -> Option<Zeroizing<String>> {
    std::env::var(name)
        .ok()
        .map(Zeroizing::new)
        .filter(|v| !v.trim().is_empty())
}

/// The content of `path` (`-`: standard input), at most 4 KiB (an MRZ is 90 characters).
fn read_secret(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    const LIMIT: u64 = 4096;
    let mut bytes = Zeroizing::new(Vec::new());
    if path == Path::new("-") {
        std::io::stdin()
            .take(LIMIT + 1)
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(LIMIT + 1).read_to_end(&mut bytes))
            .with_context(|| format!("reading {}", path.display()))?;
    }
    if bytes.len() as u64 > LIMIT {
        bail!("{}: longer than {LIMIT} bytes", path.display());
    }
    let text =
        std::str::from_utf8(&bytes).map_err(|_| anyhow!("{}: not UTF-8 text", path.display()))?;
    if text.trim().is_empty() {
        bail!("{}: empty", path.display());
    }
    Ok(Zeroizing::new(text.to_string()))
}

/// Asks on the terminal, without echo: a CAN (digits), the three MRZ fields separated by spaces, or the
/// whole MRZ (its lines joined).
fn prompt(options: ParseOptions) -> anyhow::Result<Password> {
    let term = console::Term::stderr();
    term.write_str(
        "Password for the chip (not shown): the CAN, or document number, birth and expiry (YYMMDD) \
         separated by spaces, or the whole MRZ: ",
    )
    .context("writing the prompt")?;
    let line = Zeroizing::new(term.read_secure_line().context("reading the password")?);
    password_from_line(&line, options)
}

/// A password typed at the prompt: see [`prompt`].
fn password_from_line(line: &str, options: ParseOptions) -> anyhow::Result<Password> {
    let line = line.trim();
    if line.is_empty() {
        bail!("no password typed");
    }
    if line.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Password::can(line)?);
    }
    let fields: Vec<&str> = line.split_whitespace().collect();
    if let [doc, dob, expiry] = fields.as_slice()
        && dob.len() == 6
        && expiry.len() == 6
    {
        return Ok(Password::Mrz(MrzKey::new(doc, dob, expiry)?));
    }
    mrz(line, options).context("the typed MRZ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_typed_line_is_a_can_a_triple_or_an_mrz() {
        let options = ParseOptions::default();
        assert_eq!(
            password_from_line(" 123456 ", options).unwrap().kind(),
            "CAN"
        );
        assert_eq!(
            password_from_line("L898902C3 690806 940623", options)
                .unwrap()
                .kind(),
            "MRZ"
        );
        let td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\
                   L898902C36UTO7408122F1204159ZE184226B<<<<<10";
        assert_eq!(password_from_line(td3, options).unwrap().kind(), "MRZ");
        assert!(password_from_line("", options).is_err());
        assert!(password_from_line("not an mrz", options).is_err());
    }
}
