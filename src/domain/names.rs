//! Validated names and identifiers ("parse, don't validate"): once a value has one of these
//! types it obeys its documented pattern. Patterns are plain character classes, so they are
//! checked character by character rather than through a regex engine.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{LazyLock, Mutex};

use arcstr::ArcStr;
use compact_str::CompactString;

use crate::error::CsmsError;

use super::limits::{
    EVENT_SUBSCRIPTION_MAX_CHARS, NAME_MAX_CHARS, PROJECT_ID_MAX_CHARS, STAGE_NAME_MAX_CHARS,
};

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_dotted_name_char(c: char) -> bool {
    is_name_char(c) || c == '.'
}

/// True when `s` has `1..=max` characters, all accepted by `allowed`. Every `allowed`
/// accepts ASCII only, so a string of accepted characters has as many characters as
/// bytes, and one pass over the bytes decides (a byte of a multi-byte character is a
/// character `allowed` refuses). Generic over `allowed`, and a fold with no early exit,
/// so the check is inlined and the compiler tests many bytes at a time.
fn fits(s: &str, max: usize, allowed: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().fold(true, |fit, b| fit & allowed(char::from(b)))
}

/// The create-secret name pattern.
pub const NAME_PATTERN: &str = "^[a-zA-Z0-9_-]{1,64}$";
/// The batch-import (and lookup) name pattern.
pub const DOTTED_NAME_PATTERN: &str = "^[a-zA-Z0-9._-]{1,64}$";
/// The KMS key id pattern.
pub const KMS_KEY_ID_PATTERN: &str =
    "^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$";

/// A secret or event name as it is looked up (a path, a marker, a filter):
/// `^[a-zA-Z0-9._-]{1,64}$`, dotted names included, so names earlier versions allowed
/// to be created stay reachable (docs/behaviour.md §8). The one lookup check of both.
fn check_looked_up_name(param: &'static str, raw: &str) -> Result<(), CsmsError> {
    check(
        param,
        raw,
        NAME_MAX_CHARS,
        is_dotted_name_char,
        DOTTED_NAME_PATTERN,
    )
}

/// What a name is parsed from: a borrowed string (copied when valid) or an owned one
/// (kept, not copied again).
pub trait NameInput: AsRef<str> + Into<String> {}

impl<T: AsRef<str> + Into<String>> NameInput for T {}

/// `raw` as an owned string when it has 1 to `max` characters all `allowed`, else an
/// invalid-parameter error quoting `pattern`.
fn checked(
    param: &'static str,
    raw: impl NameInput,
    max: usize,
    allowed: impl Fn(char) -> bool,
    pattern: &str,
) -> Result<String, CsmsError> {
    check(param, raw.as_ref(), max, allowed, pattern).map(|()| raw.into())
}

/// [`checked`] without the copy.
fn check(
    param: &'static str,
    raw: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
    pattern: &str,
) -> Result<(), CsmsError> {
    if fits(raw, max, allowed) {
        Ok(())
    } else {
        Err(CsmsError::invalid(param, format!("must match {pattern}")))
    }
}

/// A project id from the path; every project is its own namespace (docs/behaviour.md §24).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProjectId(String);

impl ProjectId {
    /// `^[a-zA-Z0-9_-]{1,64}$`: IAM ids are 32 hex characters, shorter readable ids are
    /// allowed for tests. An owned `raw` is kept, not copied again.
    pub fn parse(raw: impl NameInput) -> Result<Self, CsmsError> {
        checked(
            "project_id",
            raw,
            PROJECT_ID_MAX_CHARS,
            is_name_char,
            NAME_PATTERN,
        )
        .map(Self)
    }

    /// The namespace of the operations without a project in their path (agencies, users,
    /// function templates). Its id cannot be parsed from a path, so no project collides.
    #[must_use]
    pub fn global() -> Self {
        Self("*global*".to_owned())
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `raw` is a URL dot-segment (RFC 3986 §3.3), which clients drop from paths.
fn is_dot_segment(raw: &str) -> bool {
    raw == "." || raw == ".."
}

/// A secret name. Which pattern applies depends on where the name comes from (docs/behaviour.md §8).
///
/// Up to 24 bytes are held in place, longer names on the heap (`CompactString`). Most
/// names fit: the name costs a secret no allocation of its own, reading it from a stored
/// secret (every comparison a walk down the name index makes) follows no further
/// pointer, and a name from a path or body is checked and copied without allocating.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretName(CompactString);

impl SecretName {
    /// Names in a create-secret body: `^[a-zA-Z0-9_-]{1,64}$` ("Creating a Secret" page).
    pub fn parse_for_create(raw: &str) -> Result<Self, CsmsError> {
        check("name", raw, NAME_MAX_CHARS, is_name_char, NAME_PATTERN).map(|()| Self::copied(raw))
    }

    /// Names in a batch-import item: `^[a-zA-Z0-9._-]{1,64}$` ("Importing Secrets in Batches" page), except `.` and
    /// `..`: those are URL dot-segments, which every client that normalises URLs removes,
    /// so a secret named so could never be read, updated or deleted (docs/behaviour.md).
    pub fn parse_for_import(raw: &str) -> Result<Self, CsmsError> {
        if is_dot_segment(raw) {
            return Err(CsmsError::invalid(
                "name",
                "must not be . or .., which no URL can address",
            ));
        }
        check(
            "name",
            raw,
            NAME_MAX_CHARS,
            is_dotted_name_char,
            DOTTED_NAME_PATTERN,
        )
        .map(|()| Self::copied(raw))
    }

    /// Names in a path or marker are looked up, checked only against
    /// `^[a-zA-Z0-9._-]{1,64}$` so imported dotted names stay reachable (docs/behaviour.md §8).
    /// Copied once, straight into the shared name.
    pub fn parse_lookup(param: &'static str, raw: &str) -> Result<Self, CsmsError> {
        check_looked_up_name(param, raw).map(|()| Self::copied(raw))
    }

    /// A checked name, copied once.
    fn copied(name: &str) -> Self {
        Self(CompactString::new(name))
    }

    /// The name as a `String`.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0.into_string()
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stage label such as `SYSCURRENT`: `^[a-zA-Z0-9_-]{1,64}$` (docs/behaviour.md §14, §42). The built-in labels are
/// static, so the common case allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct StageName(Cow<'static, str>);

/// The stage that marks a secret's current value.
pub const SYSCURRENT: &str = "SYSCURRENT";
/// The stage that marks the value before the current one.
pub const SYSPREVIOUS: &str = "SYSPREVIOUS";

impl StageName {
    /// `version_stages`: 1–12 names; more than 12 is CSMS.0204 (docs/behaviour.md §14). A
    /// name listed twice counts once.
    pub fn parse_list(raw: Vec<String>) -> Result<Vec<Self>, CsmsError> {
        use crate::domain::limits::STAGES_MAX;
        if raw.is_empty() {
            return Err(CsmsError::invalid(
                "version_stages",
                "must have 1 to 12 items",
            ));
        }
        if raw.len() > STAGES_MAX {
            return Err(CsmsError::StageQuotaExceeded {
                requested: raw.len(),
                limit: STAGES_MAX,
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut stages = Vec::with_capacity(raw.len());
        for name in raw {
            let stage = Self::parse("version_stages", &name)?;
            if seen.insert(stage.clone()) {
                stages.push(stage);
            }
        }
        Ok(stages)
    }

    /// `^[a-zA-Z0-9_-]{1,64}$`, the `stage_name` pattern of the stage operations' paths,
    /// also applied to `version_stages` items so every stage a version gets can be shown,
    /// moved and deleted (docs/behaviour.md §42).
    pub fn parse(param: &'static str, raw: &str) -> Result<Self, CsmsError> {
        match raw {
            SYSCURRENT => Ok(Self::syscurrent()),
            SYSPREVIOUS => Ok(Self::sysprevious()),
            _ => checked(param, raw, STAGE_NAME_MAX_CHARS, is_name_char, NAME_PATTERN)
                .map(|name| Self(Cow::Owned(name))),
        }
    }

    /// A stage name read back from stored state, which earlier versions allowed to be any
    /// 1–64 characters without control characters: loading never refuses what was once
    /// acknowledged.
    pub fn restore(raw: &str) -> Result<Self, CsmsError> {
        let ok = !raw.is_empty()
            && raw.chars().count() <= STAGE_NAME_MAX_CHARS
            && !raw.chars().any(char::is_control);
        match raw {
            SYSCURRENT => Ok(Self::syscurrent()),
            SYSPREVIOUS => Ok(Self::sysprevious()),
            _ if ok => Ok(Self(Cow::Owned(raw.to_owned()))),
            _ => Err(CsmsError::invalid(
                "stages",
                "each stage name must have 1 to 64 characters",
            )),
        }
    }

    #[must_use]
    pub fn syscurrent() -> Self {
        Self(Cow::Borrowed(SYSCURRENT))
    }

    #[must_use]
    pub fn sysprevious() -> Self {
        Self(Cow::Borrowed(SYSPREVIOUS))
    }

    /// SYSCURRENT and SYSPREVIOUS are built in and cannot be deleted (docs/behaviour.md §14).
    #[must_use]
    pub fn is_builtin(&self) -> bool {
        self.0 == SYSCURRENT || self.0 == SYSPREVIOUS
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A version number: `vN` on the wire, `N` ≥ 1 (docs/behaviour.md §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionNumber(pub u32);

impl VersionNumber {
    /// `v[0-9]{1,10}`; a number past `u32` cannot name any version the emulator holds.
    pub fn parse(param: &'static str, raw: &str) -> Result<Self, CsmsError> {
        let digits = raw.strip_prefix('v').unwrap_or("");
        let valid =
            !digits.is_empty() && digits.len() <= 10 && digits.bytes().all(|b| b.is_ascii_digit());
        if !valid {
            return Err(CsmsError::invalid(param, "must match v[0-9]{1,10}"));
        }
        // Version ids compare exactly (docs/behaviour.md §44): `v01` is well-formed, but no
        // version is named so.
        if digits.len() > 1 && digits.starts_with('0') {
            return Err(CsmsError::NotFound {
                kind: "version",
                name: raw.to_owned(),
            });
        }
        // Ten digits can exceed u32: such a version cannot exist, so it maps to one that never does.
        Ok(Self(digits.parse().unwrap_or(u32::MAX)))
    }

    /// A `marker` of list-versions: `v[0-9]{1,10}`, where a marker naming no version (such
    /// as `v01`) starts the page after where it would sort, as every unknown marker does.
    pub fn parse_marker(raw: &str) -> Result<Self, CsmsError> {
        match Self::parse("marker", raw) {
            Err(CsmsError::NotFound { .. }) => {
                let digits = raw.trim_start_matches('v').trim_start_matches('0');
                Ok(Self(digits.parse().unwrap_or(0)))
            }
            other => other,
        }
    }
}

/// A secret's id as a path gives it (the tag operations address secrets by id): its
/// 36-character UUID.
pub fn parse_secret_id(raw: &str) -> Result<uuid::Uuid, CsmsError> {
    uuid::Uuid::parse_str(raw)
        .ok()
        .filter(|_| raw.len() == 36)
        .ok_or_else(|| CsmsError::invalid("secret_id", "must be the secret's 36-character id"))
}

/// A version-list marker (`v[0-9]{1,10}|latest`, ListSecretVersions.json): the version
/// the page starts after (`latest` is the SYSCURRENT holder), and the text it came as,
/// which the answer's `previous_marker` echoes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionMarker {
    pub after: VersionRef,
    pub text: String,
}

impl VersionMarker {
    pub fn parse(raw: &str) -> Result<Self, CsmsError> {
        let after = if raw == "latest" {
            VersionRef::Latest
        } else {
            VersionRef::Number(VersionNumber::parse_marker(raw)?)
        };
        Ok(Self {
            after,
            text: raw.to_owned(),
        })
    }
}

impl fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// The `{version_id}` of show-secret-version: a number or `latest` (docs/behaviour.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionRef {
    Number(VersionNumber),
    /// The version holding SYSCURRENT; also what an empty id means.
    Latest,
}

impl VersionRef {
    /// `v[0-9]{1,10}|latest`, and the empty string as `latest` (docs/behaviour.md §7).
    pub fn parse(raw: &str) -> Result<Self, CsmsError> {
        if raw.is_empty() || raw == "latest" {
            return Ok(Self::Latest);
        }
        VersionNumber::parse("version_id", raw)
            .map(Self::Number)
            .map_err(|err| match err {
                CsmsError::NotFound { .. } => err,
                _ => CsmsError::invalid("version_id", "must match v[0-9]{1,10}|latest"),
            })
    }
}

/// A KMS key id: `^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$` ("Creating a Secret" page).
/// Shared between a secret and its versions, and interned, so a project's default key is
/// one allocation however many secrets and versions name it. `ArcStr` keeps the length
/// with the text, so the id costs a secret, and each version, one pointer (`Arc<str>`
/// was two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKeyId(ArcStr);

/// How many distinct key ids are interned; ids past it are allocated as they come, so a
/// client sending ever new ids cannot grow the set without bound.
const KEY_IDS_INTERNED: usize = 4096;

/// The interned key ids, hashed with foldhash: SipHash was 2% of a 1M-secret restart, and
/// the set is bounded, so a seeded fast hash is enough.
static KEY_IDS: LazyLock<Mutex<HashSet<ArcStr, foldhash::fast::RandomState>>> =
    LazyLock::new(Mutex::default);

/// The one shared copy of a key id. A poisoned lock is recovered: the set only ever holds
/// whole entries, so a panic elsewhere cannot leave it half-changed.
fn interned_key_id(raw: &str) -> ArcStr {
    last_interned(raw).unwrap_or_else(|| {
        let id = interned_from_set(raw);
        LAST_INTERNED.with_borrow_mut(|last| *last = Some(id.clone()));
        id
    })
}

thread_local! {
    /// The id this thread interned last: a load or an import names one key for most
    /// secrets, and a hit here skips the set's lock (which loading threads share).
    static LAST_INTERNED: std::cell::RefCell<Option<ArcStr>> =
        const { std::cell::RefCell::new(None) };
}

/// The id this thread interned last, when it is `raw`.
fn last_interned(raw: &str) -> Option<ArcStr> {
    LAST_INTERNED.with_borrow(|last| last.as_ref().filter(|id| id.as_str() == raw).cloned())
}

/// [`interned_key_id`] from the shared set.
fn interned_from_set(raw: &str) -> ArcStr {
    let mut ids = KEY_IDS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = ids.get(raw) {
        return found.clone();
    }
    let id = ArcStr::from(raw);
    if ids.len() < KEY_IDS_INTERNED {
        ids.insert(id.clone());
    }
    id
}

/// A key id is written as its text.
impl serde::Serialize for KmsKeyId {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(&self.0)
    }
}

/// Each project's default key id once derived: the derivation (a SHA-1) would otherwise
/// run on every create. Bounded like the interned ids; projects past it derive each time.
/// foldhash rather than SipHash: the lookup is on every create, and the map is bounded,
/// so keys chosen to collide could not grow it.
static DEFAULT_KEY_IDS: LazyLock<Mutex<HashMap<ProjectId, KmsKeyId, foldhash::fast::RandomState>>> =
    LazyLock::new(Mutex::default);

thread_local! {
    /// The project whose default key id this thread looked up last, with that id: the
    /// creates of a run mostly name one project, and a hit skips the map's lock, which
    /// every worker creating secrets shares (under load they met there, and one slept).
    static LAST_DEFAULT: std::cell::RefCell<Option<(ProjectId, KmsKeyId)>> =
        const { std::cell::RefCell::new(None) };
}

impl KmsKeyId {
    pub fn parse(raw: &str) -> Result<Self, CsmsError> {
        let groups: Vec<&str> = raw.split('-').collect();
        let lengths_ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
        let chars_ok = groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        });
        if lengths_ok && chars_ok {
            Ok(Self(interned_key_id(raw)))
        } else {
            Err(CsmsError::invalid(
                "kms_key_id",
                format!("must match {KMS_KEY_ID_PATTERN}"),
            ))
        }
    }

    /// A key id in an update-secret body: 2 to 64 characters, no pattern
    /// (`UpdateSecret.json`; the docs' own examples use 32-hex ids). Also how a stored id
    /// is read back, since both forms may be stored (docs/behaviour.md §41).
    pub fn parse_for_update(raw: &str) -> Result<Self, CsmsError> {
        // Every interned id passed this check (or `parse`'s stricter one) already.
        if let Some(id) = last_interned(raw) {
            return Ok(Self(id));
        }
        let length_ok = (2..=64).contains(&raw.chars().count());
        if length_ok && !raw.chars().any(char::is_control) {
            Ok(Self(interned_key_id(raw)))
        } else {
            Err(CsmsError::invalid(
                "kms_key_id",
                "must have 2 to 64 characters",
            ))
        }
    }

    /// The stable id standing for `csms/default` in a project (docs/behaviour.md §20).
    #[must_use]
    pub fn project_default(project: &ProjectId) -> Self {
        let last = LAST_DEFAULT.with_borrow(|last| {
            last.as_ref()
                .filter(|(known, _)| known == project)
                .map(|(_, id)| id.clone())
        });
        last.unwrap_or_else(|| {
            let id = Self::known_default(project);
            LAST_DEFAULT.with_borrow_mut(|last| *last = Some((project.clone(), id.clone())));
            id
        })
    }

    /// [`Self::project_default`] from the map every thread shares.
    fn known_default(project: &ProjectId) -> Self {
        let mut known = DEFAULT_KEY_IDS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(id) = known.get(project) {
            return id.clone();
        }
        let id = Self::derive_default(project);
        if known.len() < KEY_IDS_INTERNED {
            known.insert(project.clone(), id.clone());
        }
        id
    }

    /// The default key id of `project`: a name-based (v5) UUID of `csms/default/{project}`.
    fn derive_default(project: &ProjectId) -> Self {
        let name = format!("csms/default/{project}");
        let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes());
        Self(interned_key_id(
            id.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer()),
        ))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn to_owned_string(&self) -> String {
        self.0.to_string()
    }
}

/// An event name: created as `^[a-zA-Z0-9_-]{1,64}$`, subscribed to in at most 32
/// characters, looked up as `^[a-zA-Z0-9._-]{1,64}$`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct EventName(String);

impl EventName {
    /// The name of a new event: `^[a-zA-Z0-9_-]{1,64}$`, no dots (`CreateSecretEvent.json`;
    /// docs/behaviour.md §45).
    pub fn parse_for_create(raw: &str) -> Result<Self, CsmsError> {
        checked("name", raw, NAME_MAX_CHARS, is_name_char, NAME_PATTERN).map(Self)
    }

    /// `event_subscriptions`: at most one event name; empty strings mean "no event"
    /// (terraform strips them too).
    pub fn parse_subscriptions(raw: Option<Vec<String>>) -> Result<Vec<Self>, CsmsError> {
        let names: Vec<String> = raw
            .unwrap_or_default()
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        if names.len() > crate::domain::limits::EVENT_SUBSCRIPTIONS_MAX {
            return Err(CsmsError::invalid(
                "event_subscriptions",
                "may name at most one event",
            ));
        }
        names.iter().map(|n| Self::parse_subscription(n)).collect()
    }

    /// An `event_subscriptions` item: an event name of at most 32 characters
    /// (`CreateSecret.json`, `UpdateSecret.json`: items `maxLength 32`).
    pub fn parse_subscription(raw: &str) -> Result<Self, CsmsError> {
        if raw.chars().count() > EVENT_SUBSCRIPTION_MAX_CHARS {
            return Err(CsmsError::invalid(
                "event_subscriptions",
                format!(
                    "each event name must have at most {EVENT_SUBSCRIPTION_MAX_CHARS} characters"
                ),
            ));
        }
        Self::parse("event_subscriptions", raw)
    }

    /// A name looked up (a path, a marker, a filter): also dotted names, which earlier
    /// versions allowed to be created, stay reachable.
    pub fn parse(param: &'static str, raw: &str) -> Result<Self, CsmsError> {
        check_looked_up_name(param, raw).map(|()| Self(raw.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_names_follow_the_create_secret_pattern() {
        let long = "a".repeat(64);
        let too_long = "a".repeat(65);
        let table: [(&str, bool); 10] = [
            ("demo", true),
            ("A-b_9", true),
            (&long, true),
            (&too_long, false),
            ("", false),
            ("with.dot", false),
            ("with/slash", false),
            ("with space", false),
            ("ünïcode", false),
            ("semi;colon", false),
        ];
        for (raw, ok) in table {
            assert_eq!(SecretName::parse_for_create(raw).is_ok(), ok, "{raw:?}");
        }
    }

    #[test]
    fn import_and_lookup_names_also_accept_dots() {
        for parse in [
            SecretName::parse_for_import as fn(&str) -> Result<SecretName, CsmsError>,
            |raw| SecretName::parse_lookup("secret_name", raw),
        ] {
            assert!(parse("app.db.password").is_ok());
            assert!(parse("...").is_ok());
            assert!(parse("a/b").is_err());
            assert!(parse(&"x".repeat(65)).is_err());
            assert!(parse("").is_err());
        }
    }

    #[test]
    fn imported_names_cannot_be_url_dot_segments() {
        for name in [".", ".."] {
            let refused = SecretName::parse_for_import(name).unwrap_err();
            assert!(
                refused.to_string().contains("no URL can address"),
                "{refused}"
            );
        }
    }

    #[test]
    fn event_names_are_created_without_dots_and_subscribed_in_32_characters() {
        assert!(EventName::parse_for_create("rotation_events-1").is_ok());
        assert!(EventName::parse_for_create("app.events").is_err());
        assert!(EventName::parse("event_name", "app.events").is_ok());
        assert!(EventName::parse_subscription(&"e".repeat(32)).is_ok());
        assert!(EventName::parse_subscription(&"e".repeat(33)).is_err());
    }

    #[test]
    fn version_ids_compare_exactly() {
        let err = VersionRef::parse("v01").unwrap_err();
        assert!(matches!(err, CsmsError::NotFound { .. }), "{err}");
        assert_eq!(
            VersionRef::parse("v0").unwrap(),
            VersionRef::Number(VersionNumber(0))
        );
        assert_eq!(
            VersionNumber::parse_marker("v01").unwrap(),
            VersionNumber(1)
        );
        assert_eq!(
            VersionNumber::parse_marker("v10").unwrap(),
            VersionNumber(10)
        );
        assert!(VersionNumber::parse_marker("x1").is_err());
    }

    #[test]
    fn version_refs_accept_numbers_latest_and_empty() {
        assert_eq!(
            VersionRef::parse("v1"),
            Ok(VersionRef::Number(VersionNumber(1)))
        );
        assert_eq!(VersionRef::parse("latest"), Ok(VersionRef::Latest));
        assert_eq!(VersionRef::parse(""), Ok(VersionRef::Latest));
        assert_eq!(
            VersionRef::parse("v9999999999"),
            Ok(VersionRef::Number(VersionNumber(u32::MAX)))
        );
        for bad in ["1", "v", "v1a", "V1", "v12345678901", "LATEST", "v-1"] {
            assert!(VersionRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kms_key_ids_follow_the_documented_pattern() {
        assert!(KmsKeyId::parse("0d0466b0-e727-4d9c-b35d-f84bb474a37f").is_ok());
        assert!(KmsKeyId::parse("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz").is_ok());
        for bad in [
            "0D0466B0-E727-4D9C-B35D-F84BB474A37F",
            "b168fe00ff56492495a7d22974df2d0b",
            "0d0466b0-e727-4d9c-b35d-f84bb474a37",
            "0d0466b0-e727-4d9c-b35d-f84bb474a37f-",
            "",
        ] {
            assert!(KmsKeyId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_key_id_read_again_is_the_shared_copy_and_the_check_still_holds_after_it() {
        let raw = "b168fe00ff56492495a7d22974df2d0b";
        let first = KmsKeyId::parse_for_update(raw).unwrap();
        let again = KmsKeyId::parse_for_update(raw).unwrap();
        assert!(ArcStr::ptr_eq(&first.0, &again.0));
        for bad in ["b", "b168fe00\u{7}", &"b".repeat(65)] {
            assert!(KmsKeyId::parse_for_update(bad).is_err(), "{bad}");
        }
        // The strict form keeps its own pattern even for an id just read leniently.
        assert!(KmsKeyId::parse(raw).is_err());
        assert!(ArcStr::ptr_eq(
            &KmsKeyId::parse_for_update(raw).unwrap().0,
            &first.0
        ));
    }

    #[test]
    fn the_default_key_is_stable_per_project_and_differs_between_projects() {
        let a = ProjectId::parse("a").unwrap();
        let b = ProjectId::parse("b").unwrap();
        assert_eq!(KmsKeyId::project_default(&a), KmsKeyId::project_default(&a));
        assert_ne!(KmsKeyId::project_default(&a), KmsKeyId::project_default(&b));
        assert!(KmsKeyId::parse(KmsKeyId::project_default(&a).as_str()).is_ok());
    }

    #[test]
    fn every_thread_gets_a_projects_default_key_whether_it_looked_the_project_up_last_or_not() {
        let a = ProjectId::parse("default-key-thread-a").unwrap();
        let b = ProjectId::parse("default-key-thread-b").unwrap();
        let elsewhere = {
            let (a, b) = (a.clone(), b.clone());
            std::thread::spawn(move || [&a, &b, &a].map(KmsKeyId::project_default))
                .join()
                .unwrap()
        };
        // Here: b, then a twice (the second from this thread's last lookup), then b.
        let here = [&b, &a, &a, &b].map(KmsKeyId::project_default);
        assert_eq!(
            here,
            [&elsewhere[1], &elsewhere[0], &elsewhere[2], &elsewhere[1]].map(Clone::clone)
        );
        assert_eq!(here[1], KmsKeyId::derive_default(&a));
        assert_eq!(here[0], KmsKeyId::derive_default(&b));
        assert_ne!(here[0], here[1]);
        // The repeat lookup shares the first one's copy rather than making its own.
        assert!(ArcStr::ptr_eq(&here[1].0, &here[2].0));
    }

    #[test]
    fn stage_names_follow_the_stage_name_pattern() {
        assert!(StageName::parse("s", "SYSCURRENT").is_ok());
        assert!(StageName::parse("s", &"a".repeat(64)).is_ok());
        assert!(StageName::parse("s", "blue_green-2").is_ok());
        for bad in ["bad!stage", "a.b", "é", "", "a\nb"] {
            assert!(StageName::parse("s", bad).is_err(), "{bad}");
        }
        assert!(StageName::parse("s", &"a".repeat(65)).is_err());
        // what older versions stored still loads
        assert!(StageName::restore(&"é".repeat(64)).is_ok());
        assert!(StageName::restore("a.b").is_ok());
        assert!(StageName::restore("").is_err());
        assert!(StageName::syscurrent().is_builtin());
        assert!(StageName::sysprevious().is_builtin());
        assert!(!StageName::parse("s", "CUSTOM").unwrap().is_builtin());
    }

    #[test]
    fn project_ids_reject_braces_and_slashes() {
        assert!(ProjectId::parse("0123456789abcdef0123456789abcdef").is_ok());
        assert!(ProjectId::parse("{project_id}").is_err());
        assert!(ProjectId::parse("").is_err());
        assert!(ProjectId::parse("a".repeat(65)).is_err());
    }

    #[test]
    fn names_refuse_non_ascii_letters_whose_bytes_read_as_latin_1_letters() {
        // `é` is C3 A9 in UTF-8; read byte by byte as chars, C3 is `Ã`, a letter: only an
        // ASCII-only check of each byte keeps refusing it.
        for raw in ["é", "caf\u{e9}", "\u{c3}", &"é".repeat(32)] {
            assert!(SecretName::parse_for_create(raw).is_err(), "{raw}");
            assert!(
                SecretName::parse_lookup("secret_name", raw).is_err(),
                "{raw}"
            );
            assert!(ProjectId::parse(raw).is_err(), "{raw}");
        }
        assert!(SecretName::parse_lookup("secret_name", &"a".repeat(64)).is_ok());
        assert!(SecretName::parse_lookup("secret_name", &"a".repeat(65)).is_err());
    }
}
