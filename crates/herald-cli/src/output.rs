//! Output: JSON for scripts (`--json`), tables for people. Every write goes
//! through [`line`], so a reader that closes the pipe early (`| head -1`)
//! ends the command quietly instead of a panic.

use std::fmt::Display;
use std::io::Write;

use comfy_table::{presets::UTF8_BORDERS_ONLY, Table};
use serde_json::Value;

use crate::error::CliError;

/// Writes one line to standard output.
pub fn line(text: impl Display) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").and_then(|()| out.flush()).map_err(|e| CliError::output(&e))
}

/// Prints a value as indented JSON.
pub fn json(v: &Value) -> Result<(), CliError> {
    line(serde_json::to_string_pretty(v).unwrap_or_default())
}

/// Prints `items` as a table of `columns` (JSON paths like `status` or
/// `deliveries.0.status`), or as a JSON array.
pub fn list(items: &[Value], columns: &[&str], as_json: bool) -> Result<(), CliError> {
    if as_json {
        return json(&Value::Array(items.to_vec()));
    }
    line(table(items, columns))?;
    line(count(items.len(), "item"))
}

/// `items` as a table of `columns`.
pub fn table(items: &[Value], columns: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_BORDERS_ONLY);
    table.set_header(columns.iter().map(|c| c.rsplit('.').next().unwrap_or(c)).collect::<Vec<_>>());
    for item in items {
        table.add_row(columns.iter().map(|c| cell(lookup(item, c))).collect::<Vec<_>>());
    }
    table
}

/// `1 item`, `2 items`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Prints one object: `key  value` lines, or its JSON. A field holding a
/// list of objects (a message's deliveries) is printed as a table after the
/// other fields.
pub fn one(item: &Value, as_json: bool) -> Result<(), CliError> {
    if as_json {
        return json(item);
    }
    let Some(map) = item.as_object() else {
        return line(cell(Some(item)));
    };
    let is_rows = |v: &Value| v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object));
    let width = map.iter().filter(|(_, v)| !is_rows(v)).map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in map.iter().filter(|(_, v)| !is_rows(v)) {
        line(format_args!("{k:width$}  {}", cell(Some(v))))?;
    }
    for (k, v) in map.iter().filter(|(_, v)| is_rows(v)) {
        let rows = v.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut columns: Vec<&str> = Vec::new();
        for row in rows {
            for key in row.as_object().into_iter().flat_map(|o| o.keys()) {
                if !columns.contains(&key.as_str()) {
                    columns.push(key);
                }
            }
        }
        line(format_args!("\n{k}:"))?;
        line(table(rows, &columns))?;
    }
    Ok(())
}

pub fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| match k.parse::<usize>() {
        Ok(i) => v.get(i),
        Err(_) => v.get(k),
    })
}

/// A value as a table cell: strings bare, null empty, the rest as JSON.
pub fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
            a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
        }
        Some(other) => other.to_string(),
    }
}

/// A message's deliveries summed up in one cell: `delivered`, or
/// `1 failed, 2 delivered` when they differ; `no endpoint` when it had none.
pub fn delivery_summary(message: &Value) -> String {
    let Some(deliveries) = message.get("deliveries").and_then(Value::as_array) else {
        return String::new();
    };
    let mut counts: Vec<(String, usize)> = Vec::new();
    for d in deliveries {
        let status = cell(d.get("status"));
        match counts.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => counts.push((status, 1)),
        }
    }
    match counts.as_slice() {
        [] => "no endpoint".to_owned(),
        [(status, _)] => status.clone(),
        _ => counts.iter().map(|(s, n)| format!("{n} {s}")).collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_summary_names_each_state_with_its_count() {
        let m = json!({"deliveries": [{"status": "failed"}, {"status": "delivered"}, {"status": "delivered"}]});
        assert_eq!(delivery_summary(&m), "1 failed, 2 delivered");
        assert_eq!(delivery_summary(&json!({"deliveries": [{"status": "pending"}]})), "pending");
        assert_eq!(delivery_summary(&json!({"deliveries": []})), "no endpoint");
    }

    #[test]
    fn counts_are_singular_or_plural() {
        assert_eq!(count(1, "item"), "1 item");
        assert_eq!(count(0, "item"), "0 items");
    }
}
