//! Output: JSON for scripts (`--json`), tables for people.

use comfy_table::{presets::UTF8_BORDERS_ONLY, Table};
use serde_json::Value;

/// Prints `items` as a table of `columns` (JSON paths like `status` or
/// `deliveries.0.status`), or as a JSON array.
pub fn list(items: &[Value], columns: &[&str], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(&Value::Array(items.to_vec())).unwrap_or_default());
        return;
    }
    let mut table = Table::new();
    table.load_preset(UTF8_BORDERS_ONLY);
    table.set_header(columns.iter().map(|c| c.rsplit('.').next().unwrap_or(c)).collect::<Vec<_>>());
    for item in items {
        table.add_row(columns.iter().map(|c| cell(lookup(item, c))).collect::<Vec<_>>());
    }
    println!("{table}");
    println!("{} item(s)", items.len());
}

/// Prints one object: `key  value` lines, or its JSON.
pub fn one(item: &Value, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(item).unwrap_or_default());
        return;
    }
    match item.as_object() {
        Some(map) => {
            let width = map.keys().map(String::len).max().unwrap_or(0);
            for (k, v) in map {
                println!("{k:width$}  {}", cell(Some(v)));
            }
        }
        None => println!("{}", cell(Some(item))),
    }
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
