//! A project's ESP-IDF configuration as `idf.py` writes it (`sdkconfig`,
//! else the `sdkconfig.defaults` it starts from): `KEY=value` lines and
//! `# KEY is not set`.

use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Default)]
pub struct Sdkconfig {
    values: BTreeMap<String, String>,
}

impl Sdkconfig {
    /// The project's `sdkconfig`, else its `sdkconfig.defaults`, else empty.
    pub fn load(root: &Path) -> Sdkconfig {
        ["sdkconfig", "sdkconfig.defaults"]
            .iter()
            .find_map(|name| std::fs::read_to_string(root.join(name)).ok())
            .map_or_else(Sdkconfig::default, |t| Sdkconfig::parse(&t))
    }

    pub fn parse(text: &str) -> Sdkconfig {
        let mut values = BTreeMap::new();
        for line in text.lines().map(str::trim) {
            if let Some(key) = line
                .strip_prefix("# ")
                .and_then(|l| l.strip_suffix(" is not set"))
            {
                values.insert(key.to_string(), "n".to_string());
            } else if let Some((k, v)) = line.split_once('=').filter(|_| !line.starts_with('#')) {
                values.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
            }
        }
        Sdkconfig { values }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A boolean option: `Some(true)` for `y`, `Some(false)` when not set.
    pub fn flag(&self, key: &str) -> Option<bool> {
        self.get(key).map(|v| v == "y")
    }

    pub fn number(&self, key: &str) -> Option<u64> {
        self.get(key)?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::Sdkconfig;

    #[test]
    fn values_flags_and_unset_options() {
        let s = Sdkconfig::parse(
            "# comment\nCONFIG_FREERTOS_HZ=1000\nCONFIG_IDF_TARGET=\"esp32c3\"\n# CONFIG_ESP_TASK_WDT_PANIC is not set\nCONFIG_ESP_TASK_WDT_EN=y\n",
        );
        assert_eq!(s.number("CONFIG_FREERTOS_HZ"), Some(1000));
        assert_eq!(s.get("CONFIG_IDF_TARGET"), Some("esp32c3"));
        assert_eq!(s.flag("CONFIG_ESP_TASK_WDT_PANIC"), Some(false));
        assert_eq!(s.flag("CONFIG_ESP_TASK_WDT_EN"), Some(true));
        assert_eq!(s.get("CONFIG_MISSING"), None);
    }
}
