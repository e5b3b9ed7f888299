//! Secret types and the rotation settings that depend on them (docs/behaviour.md §10, §11).

use serde::{Deserialize, Serialize};

use crate::error::CsmsError;

use super::limits::{ROTATION_CONFIG_MAX_CHARS, ROTATION_PERIOD_MAX_SECS};

/// `secret_type` ("Creating a Secret" page). `RDS` is documented but no longer accepted (docs/behaviour.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SecretType {
    #[default]
    #[serde(rename = "COMMON")]
    Common,
    #[serde(rename = "RDS-FG")]
    RdsFg,
    #[serde(rename = "GaussDB-FG")]
    GaussDbFg,
}

impl SecretType {
    /// One of the database types agencies and rotation function templates exist for
    /// (`ShowAgency.json`, `ShowSecretFunctionTemplates.json`: RDS-FG or GaussDB-FG).
    pub fn parse_database(raw: Option<&str>) -> Result<Self, CsmsError> {
        match raw {
            Some("RDS-FG") => Ok(Self::RdsFg),
            Some("GaussDB-FG") => Ok(Self::GaussDbFg),
            _ => Err(CsmsError::invalid(
                "secret_type",
                "must be RDS-FG or GaussDB-FG",
            )),
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CsmsError> {
        match raw {
            "COMMON" => Ok(Self::Common),
            "RDS-FG" => Ok(Self::RdsFg),
            "GaussDB-FG" => Ok(Self::GaussDbFg),
            "RDS" => Err(CsmsError::invalid(
                "secret_type",
                "RDS is no longer supported; use RDS-FG",
            )),
            _ => Err(CsmsError::invalid(
                "secret_type",
                "must be one of COMMON, RDS-FG, GaussDB-FG",
            )),
        }
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Common => "COMMON",
            Self::RdsFg => "RDS-FG",
            Self::GaussDbFg => "GaussDB-FG",
        }
    }

    /// Database secret types must carry a `rotation_config` (docs/behaviour.md §11).
    #[must_use]
    pub const fn needs_rotation_config(self) -> bool {
        matches!(self, Self::RdsFg | Self::GaussDbFg)
    }
}

/// What automatic rotation needs, checked at creation, on every update and on import, the
/// one place this rule lives (docs/behaviour.md §11, §43): a `rotation_period`, a database
/// secret type (RDS-FG or GaussDB-FG), and the `rotation_func_urn` of the FunctionGraph
/// function that rotates it.
pub fn check_auto_rotation(
    secret_type: SecretType,
    auto_rotation: bool,
    period: Option<&RotationPeriod>,
    rotation_func_urn: Option<&str>,
) -> Result<(), CsmsError> {
    if !auto_rotation {
        return Ok(());
    }
    if period.is_none() {
        return Err(CsmsError::invalid(
            "rotation_period",
            "is required when auto_rotation is true",
        ));
    }
    if !secret_type.needs_rotation_config() {
        return Err(CsmsError::invalid(
            "auto_rotation",
            format!(
                "can be enabled only for RDS-FG and GaussDB-FG secrets, not {}",
                secret_type.as_str()
            ),
        ));
    }
    if rotation_func_urn.is_none_or(str::is_empty) {
        return Err(CsmsError::invalid(
            "rotation_func_urn",
            "is required when auto_rotation is true",
        ));
    }
    Ok(())
}

/// A `rotation_period` such as `1d` or `24h`: `^[1-9][0-9]*[dhms]$`, kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationPeriod {
    text: Box<str>,
    secs: u64,
}

impl RotationPeriod {
    /// Parses and range-checks a period; `min_secs` differs per operation (docs/behaviour.md §10).
    pub fn parse(raw: &str, min_secs: u64) -> Result<Self, CsmsError> {
        let invalid = || {
            CsmsError::invalid(
                "rotation_period",
                format!(
                    "must match ^[1-9][0-9]*[dhms]$ and lie between {}h and {}h",
                    min_secs / 3600,
                    ROTATION_PERIOD_MAX_SECS / 3600
                ),
            )
        };
        // The unit is one ASCII byte, so cutting it off leaves a whole UTF-8 string; any
        // other last character (multi-byte ones included) is refused before any slicing.
        let unit_secs: u64 = match raw.as_bytes().last() {
            Some(b'd') => 86_400,
            Some(b'h') => 3_600,
            Some(b'm') => 60,
            Some(b's') => 1,
            _ => return Err(invalid()),
        };
        let digits = &raw[..raw.len() - 1];
        if digits.is_empty()
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid());
        }
        let secs = digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit_secs))
            .ok_or_else(invalid)?;
        if !(min_secs..=ROTATION_PERIOD_MAX_SECS).contains(&secs) {
            return Err(invalid());
        }
        Ok(Self {
            text: raw.into(),
            secs,
        })
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The period in milliseconds, for `next_rotation_time`.
    #[must_use]
    pub fn as_millis(&self) -> i64 {
        (self.secs * 1000) as i64
    }
}

/// The JSON inside `rotation_config` for database secrets ("Creating a Secret" page).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RotationConfigJson {
    instance_id: String,
    secret_sub_type: String,
}

/// A checked `rotation_config`, with the instance it names (batch delete matches on it, docs/behaviour.md §21).
/// Boxed: most secrets have none, and an absent one then costs a secret one word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationConfig(Box<RotationConfigParts>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct RotationConfigParts {
    text: String,
    instance_id: Option<String>,
}

impl RotationConfig {
    /// `rotation_config` as a request gives it: required for the types that rotate a
    /// database, optional otherwise.
    pub fn parse_for(
        raw: Option<&str>,
        secret_type: SecretType,
    ) -> Result<Option<Self>, CsmsError> {
        match raw {
            Some(raw) => Self::parse(raw, secret_type).map(Some),
            None if secret_type.needs_rotation_config() => Err(CsmsError::invalid(
                "rotation_config",
                format!("is required when secret_type is {}", secret_type.as_str()),
            )),
            None => Ok(None),
        }
    }

    /// At most 1,024 characters; for database secret types it must be
    /// `{"InstanceId": "...", "SecretSubType": "SingleUser"|"MultiUser"}` (docs/behaviour.md §11).
    pub fn parse(raw: &str, secret_type: SecretType) -> Result<Self, CsmsError> {
        if raw.chars().count() > ROTATION_CONFIG_MAX_CHARS {
            return Err(CsmsError::invalid(
                "rotation_config",
                "must have at most 1024 characters",
            ));
        }
        let parsed = serde_json::from_str::<RotationConfigJson>(raw).ok();
        if secret_type.needs_rotation_config() {
            let valid = parsed.as_ref().is_some_and(|c| {
                !c.instance_id.is_empty()
                    && matches!(c.secret_sub_type.as_str(), "SingleUser" | "MultiUser")
            });
            if !valid {
                return Err(CsmsError::invalid(
                    "rotation_config",
                    "must be JSON {\"InstanceId\":\"...\",\"SecretSubType\":\"SingleUser|MultiUser\"}",
                ));
            }
        }
        Ok(Self(Box::new(RotationConfigParts {
            text: raw.to_owned(),
            instance_id: parsed.map(|c| c.instance_id).filter(|id| !id.is_empty()),
        })))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The cloud-service instance this secret belongs to, if its config names one.
    #[must_use]
    pub fn instance_id(&self) -> Option<&str> {
        self.0.instance_id.as_deref()
    }
}

/// What a rotation function template is asked for (`ShowSecretFunctionTemplates.json`):
/// a database secret type, its sub-type, and the database engine, which RDS-FG must name
/// and GaussDB-FG leaves at `mysql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateKind {
    pub secret_type: SecretType,
    /// `SingleUser` or `MultiUser`.
    pub sub_type: &'static str,
    /// `mysql`, `postgresql` or `sqlserver`.
    pub engine: &'static str,
}

impl TemplateKind {
    pub fn parse(
        secret_type: Option<&str>,
        sub_type: Option<&str>,
        engine: Option<&str>,
    ) -> Result<Self, CsmsError> {
        let secret_type = SecretType::parse_database(secret_type)?;
        let sub_type = match sub_type {
            Some("SingleUser") => "SingleUser",
            Some("MultiUser") => "MultiUser",
            _ => {
                return Err(CsmsError::invalid(
                    "secret_sub_type",
                    "must be SingleUser or MultiUser",
                ));
            }
        };
        let engine = match (secret_type, engine) {
            (_, Some("mysql")) => "mysql",
            (_, Some("postgresql")) => "postgresql",
            (_, Some("sqlserver")) => "sqlserver",
            (SecretType::RdsFg, _) => {
                return Err(CsmsError::invalid(
                    "engine",
                    "must be mysql, postgresql or sqlserver for RDS-FG",
                ));
            }
            (_, None) => "mysql",
            (_, Some(_)) => {
                return Err(CsmsError::invalid(
                    "engine",
                    "must be mysql, postgresql or sqlserver",
                ));
            }
        };
        Ok(Self {
            secret_type,
            sub_type,
            engine,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_period_the_document_offers_is_taken_by_every_operation() {
        use crate::domain::limits::{
            IMPORT_ROTATION_PERIOD_MIN_SECS, ROTATION_PERIOD_IN_RANGE_PATTERN,
        };
        let offered = regex::Regex::new(ROTATION_PERIOD_IN_RANGE_PATTERN).unwrap();
        let mut count = 0;
        for n in 0..10_000 {
            for unit in ["s", "m", "h", "d"] {
                let period = format!("{n}{unit}");
                if offered.is_match(&period) {
                    count += 1;
                    let parsed = RotationPeriod::parse(&period, IMPORT_ROTATION_PERIOD_MIN_SECS);
                    assert!(parsed.is_ok(), "{period}");
                }
            }
        }
        // 6h–8760h and 1d–365d
        assert_eq!(count, 8755 + 365);
    }
    use crate::domain::limits::{IMPORT_ROTATION_PERIOD_MIN_SECS, ROTATION_PERIOD_MIN_SECS};

    #[test]
    fn periods_follow_pattern_and_range() {
        let table = [
            ("1d", true),
            ("24h", true),
            ("4h", true),
            ("3h", false),
            ("240m", true),
            ("14400s", true),
            ("14399s", false),
            ("365d", true),
            ("366d", false),
            ("8760h", true),
            ("8761h", false),
            ("0d", false),
            ("01d", false),
            ("1w", false),
            ("d", false),
            ("", false),
            ("1d12h", false),
            ("-1d", false),
            ("99999999999999999999999d", false),
            ("1D", false),
            // multi-byte characters where the unit or the digits belong
            ("é", false),
            ("1é", false),
            ("éd", false),
            ("1éh", false),
            ("１d", false),
        ];
        for (raw, ok) in table {
            assert_eq!(
                RotationPeriod::parse(raw, ROTATION_PERIOD_MIN_SECS).is_ok(),
                ok,
                "{raw}"
            );
        }
    }

    #[test]
    fn batch_import_needs_at_least_six_hours() {
        assert!(RotationPeriod::parse("5h", IMPORT_ROTATION_PERIOD_MIN_SECS).is_err());
        assert!(RotationPeriod::parse("6h", IMPORT_ROTATION_PERIOD_MIN_SECS).is_ok());
        assert!(RotationPeriod::parse("5h", ROTATION_PERIOD_MIN_SECS).is_ok());
    }

    #[test]
    fn period_converts_to_milliseconds() {
        let p = RotationPeriod::parse("1d", ROTATION_PERIOD_MIN_SECS).unwrap();
        assert_eq!(p.as_millis(), 86_400_000);
        assert_eq!(p.as_str(), "1d");
    }

    #[test]
    fn secret_types_parse_and_refuse_legacy_rds() {
        assert_eq!(SecretType::parse("COMMON"), Ok(SecretType::Common));
        assert_eq!(SecretType::parse("RDS-FG"), Ok(SecretType::RdsFg));
        assert_eq!(SecretType::parse("GaussDB-FG"), Ok(SecretType::GaussDbFg));
        for bad in ["RDS", "common", "", "GAUSSDB-FG"] {
            assert!(SecretType::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn database_secrets_need_a_well_formed_rotation_config() {
        let good = r#"{"InstanceId":"i-1","SecretSubType":"SingleUser"}"#;
        let cfg = RotationConfig::parse(good, SecretType::RdsFg).unwrap();
        assert_eq!(cfg.instance_id(), Some("i-1"));
        for bad in [
            r#"{"InstanceId":"i-1","SecretSubType":"Other"}"#,
            r#"{"InstanceId":"","SecretSubType":"MultiUser"}"#,
            r#"{"SecretSubType":"MultiUser"}"#,
            "not json",
        ] {
            assert!(
                RotationConfig::parse(bad, SecretType::GaussDbFg).is_err(),
                "{bad}"
            );
            assert!(RotationConfig::parse(bad, SecretType::Common).is_ok());
        }
        let long = "x".repeat(1025);
        assert!(RotationConfig::parse(&long, SecretType::Common).is_err());
    }

    #[test]
    fn a_template_kind_needs_a_sub_type_and_an_rds_fg_one_an_engine() {
        let gauss = TemplateKind::parse(Some("GaussDB-FG"), Some("SingleUser"), None).unwrap();
        assert_eq!((gauss.sub_type, gauss.engine), ("SingleUser", "mysql"));
        let rds = TemplateKind::parse(Some("RDS-FG"), Some("MultiUser"), Some("sqlserver"));
        assert_eq!(rds.unwrap().engine, "sqlserver");
        for (secret_type, sub_type, engine, param) in [
            (Some("COMMON"), Some("SingleUser"), None, "secret_type"),
            (
                Some("RDS-FG"),
                Some("Other"),
                Some("mysql"),
                "secret_sub_type",
            ),
            (Some("RDS-FG"), Some("SingleUser"), None, "engine"),
            (
                Some("GaussDB-FG"),
                Some("SingleUser"),
                Some("oracle"),
                "engine",
            ),
        ] {
            let err = TemplateKind::parse(secret_type, sub_type, engine).unwrap_err();
            assert!(err.to_string().contains(param), "{err}");
        }
    }
}
