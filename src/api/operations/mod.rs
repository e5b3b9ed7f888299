//! The operation table: every CSMS and control operation the emulator serves, as one
//! [`Operation`] enum with its method, path template, SDK name, summary and request body.
//! A request is classified into it once, by the outermost middleware; dispatch (one
//! `match` in `api::dispatch`), authentication, the journal, metrics, fault rules and
//! the OpenAPI description all read that one value, and no handler looks at the path.

use std::borrow::Cow;
use std::sync::LazyLock;

use axum::http::Uri;
use axum::http::uri::PathAndQuery;

#[macro_use]
mod spec;
mod table;

pub use spec::{OperationSpec, RequestBody, WireType};
pub use table::Operation;
use table::SPECS;

impl Operation {
    /// What the table says about this operation.
    #[must_use]
    pub fn spec(self) -> &'static OperationSpec {
        &SPECS[self as usize]
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    #[must_use]
    pub fn method(self) -> &'static str {
        self.spec().method
    }

    #[must_use]
    pub fn path(self) -> &'static str {
        self.spec().path
    }

    /// An operation of the emulator's own control API (under `/_emulator/`).
    #[must_use]
    pub fn is_control(self) -> bool {
        self.path().starts_with("/_emulator/")
    }

    /// Probes, and the console's page and assets, which hold no data: every datum the
    /// console shows comes through routes that need their own credentials.
    #[must_use]
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::EmulatorHealth
                | Self::EmulatorReady
                | Self::EmulatorSmnSigningCert
                | Self::EmulatorConsole
                | Self::EmulatorConsoleAsset
                | Self::EmulatorConsoleRedirect
        )
    }
}

/// What a request is, as far as its method and path tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classified {
    pub operation: Option<Operation>,
    /// The request's path (and query), sharing the request's bytes: the parameters are
    /// read from it, not copied out.
    path: Option<PathAndQuery>,
    /// Where in the path the segments the template's `{…}` matched lie, in order, with
    /// their names; still percent-encoded. The first `param_count` are set.
    params: [(&'static str, u32, u32); PARAMS_MAX],
    param_count: usize,
    /// Which of the parameters are the project id and the secret name, found once with
    /// the template rather than by name at each look.
    project_at: Option<usize>,
    secret_at: Option<usize>,
    /// Under `/_emulator/`, whether or not an operation matched.
    pub control_path: bool,
    /// Whether the path holds a `%` anywhere: without one, every parameter is its raw
    /// text, and no parameter needs a look of its own.
    encoded: bool,
}

/// More parameters than any template has.
const PARAMS_MAX: usize = 4;

/// Which part of the emulator a request reaches, as authentication sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Liveness and readiness probes, and the console's static files: always open.
    Probe,
    /// The emulator's control API (every project at once).
    Control,
    /// The CSMS API (and the IAM lookup), in `project` when the path names one.
    Csms { project: Option<String> },
}

/// [`Reach`] without the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReachKind {
    Probe,
    Control,
    Csms,
}

impl Classified {
    #[must_use]
    pub fn reach(&self) -> Reach {
        match self.reach_kind() {
            ReachKind::Probe => Reach::Probe,
            ReachKind::Control => Reach::Control,
            ReachKind::Csms => Reach::Csms {
                project: self.project().map(Cow::into_owned),
            },
        }
    }

    /// Which part of the emulator the request reaches, without copying its project.
    #[must_use]
    pub fn reach_kind(&self) -> ReachKind {
        match self.operation {
            Some(op) if op.is_open() => ReachKind::Probe,
            _ if self.control_path => ReachKind::Control,
            _ => ReachKind::Csms,
        }
    }

    /// The operation name for logs, journal and metrics: `Unknown` when no route matches.
    #[must_use]
    pub fn operation_name(&self) -> &'static str {
        self.operation.map_or("Unknown", Operation::name)
    }

    /// Where the metrics keep this operation's handles: its place in the table, and the
    /// one after the last for requests no operation fits.
    #[must_use]
    pub fn metrics_slot(&self) -> usize {
        self.operation
            .map_or(Operation::ALL.len(), |op| op as usize)
    }

    /// The request's path, without the query.
    #[must_use]
    pub fn path(&self) -> &str {
        self.path.as_ref().map_or("", PathAndQuery::path)
    }

    /// The parameters: name, and raw (percent-encoded) text.
    fn named_params(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let path = self.path();
        self.params[..self.param_count]
            .iter()
            .map(move |&(name, start, end)| {
                (name, path.get(start as usize..end as usize).unwrap_or(""))
            })
    }

    /// The raw (percent-encoded) path parameters, in template order.
    pub fn raw_params(&self) -> impl Iterator<Item = &str> {
        self.named_params().map(|(_, raw)| raw)
    }

    /// Whether `raw`, one of [`Self::raw_params`], holds a `%` to decode.
    #[must_use]
    pub fn is_encoded(&self, raw: &str) -> bool {
        self.encoded && raw.contains('%')
    }

    /// The parameter at `index`, decoded (invalid UTF-8 replaced), for logs, the
    /// journal, fault rules and authentication.
    fn param(&self, index: Option<usize>) -> Option<Cow<'_, str>> {
        let &(_, start, end) = self.params[..self.param_count].get(index?)?;
        let raw = self.path().get(start as usize..end as usize).unwrap_or("");
        Some(if self.is_encoded(raw) {
            percent_encoding::percent_decode_str(raw).decode_utf8_lossy()
        } else {
            Cow::Borrowed(raw)
        })
    }

    #[must_use]
    pub fn project(&self) -> Option<Cow<'_, str>> {
        self.param(self.project_at)
    }

    #[must_use]
    pub fn secret(&self) -> Option<Cow<'_, str>> {
        self.param(self.secret_at)
    }
}

/// One template segment.
#[derive(Debug)]
enum Segment {
    Literal(&'static str),
    Param(&'static str, Role),
}

/// What a parameter is to the classifier, told by its name when the templates are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Project,
    Secret,
    /// May be empty (see [`fits`]).
    Version,
    Other,
}

impl Role {
    fn of(name: &str) -> Self {
        match name {
            "project_id" => Self::Project,
            "secret_name" => Self::Secret,
            "version_id" => Self::Version,
            _ => Self::Other,
        }
    }
}

/// Each method's operations with their templates split into segments, computed once.
static TEMPLATES: LazyLock<Vec<(Operation, Vec<Segment>)>> = LazyLock::new(|| {
    Operation::ALL
        .iter()
        .map(|&op| {
            let segments = op
                .path()
                .trim_start_matches('/')
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name, Role::of(name)),
                        None => Segment::Literal(s),
                    },
                )
                .collect();
            (op, segments)
        })
        .collect()
});

/// The templates of one method and length, in table order.
type SameShape = Vec<(Operation, &'static [Segment])>;

/// The table's methods, each with its templates by number of segments: a request is
/// matched only against those of its method and length, and still gets the first that
/// fits in table order.
static BY_SHAPE: LazyLock<Vec<(&'static str, Vec<SameShape>)>> = LazyLock::new(|| {
    let mut by_shape: Vec<(&'static str, Vec<SameShape>)> = Vec::new();
    for (op, template) in TEMPLATES.iter() {
        let method = op.method();
        let at = by_shape
            .iter()
            .position(|(known, _)| *known == method)
            .unwrap_or_else(|| {
                by_shape.push((method, (0..=SEGMENTS_MAX).map(|_| Vec::new()).collect()));
                by_shape.len() - 1
            });
        if let Some(list) = by_shape
            .get_mut(at)
            .and_then(|(_, by_length)| by_length.get_mut(template.len()))
        {
            list.push((*op, template.as_slice()));
        }
    }
    by_shape
});

/// Whether a request segment fits a template segment. A parameter needs at least one
/// character, except the version id: `…/versions/` means `latest` (docs/behaviour.md §7).
fn fits(template: &Segment, segment: &str) -> bool {
    match template {
        Segment::Literal(literal) => *literal == segment,
        Segment::Param(_, role) => !segment.is_empty() || *role == Role::Version,
    }
}

/// More segments than any template has: a longer path matches no operation.
const SEGMENTS_MAX: usize = 8;

/// Classifies a request by its method and path (see [`classify_uri`]).
#[must_use]
pub fn classify(method: &str, path: &str) -> Classified {
    classify_path(method, PathAndQuery::try_from(path).ok())
}

/// Classifies a request: the first operation in table order whose method and template
/// fit (the table lists literals before the templates they collide with). `HEAD` is
/// classified as `GET`, whose answer it gets without the body.
#[must_use]
pub fn classify_uri(method: &str, uri: &Uri) -> Classified {
    classify_path(method, uri.path_and_query().cloned())
}

fn classify_path(method: &str, path_and_query: Option<PathAndQuery>) -> Classified {
    let path = path_and_query.as_ref().map_or("", PathAndQuery::path);
    let control_path = path == "/_emulator" || path.starts_with("/_emulator/");
    let unmatched = || Classified {
        control_path,
        ..Classified::default()
    };
    let method = if method == "HEAD" { "GET" } else { method };
    let (trimmed, start) = match path.strip_prefix('/') {
        Some(trimmed) => (trimmed, 1),
        None => (path, 0),
    };
    // The path is split once, on the stack: each segment, and where it starts. memchr
    // finds the slashes many bytes at a time, where a loop looks at every byte.
    let mut split = [("", 0); SEGMENTS_MAX];
    let mut count = 0;
    let mut from = 0;
    for at in memchr::memchr_iter(b'/', trimmed.as_bytes()) {
        let Some(slot) = split.get_mut(count) else {
            return unmatched();
        };
        // Both ends are next to a `/`, so on character boundaries.
        *slot = (trimmed.get(from..at).unwrap_or_default(), start + from);
        count += 1;
        from = at + 1;
    }
    let Some(slot) = split.get_mut(count) else {
        return unmatched();
    };
    *slot = (trimmed.get(from..).unwrap_or_default(), start + from);
    count += 1;
    let segments = &split[..count];
    let Some(candidates) = BY_SHAPE
        .iter()
        .find(|(known, _)| *known == method)
        .and_then(|(_, by_length)| by_length.get(count))
    else {
        return unmatched();
    };
    let found = candidates
        .iter()
        .find(|&&(_, template)| template.iter().zip(segments).all(|(t, (s, _))| fits(t, s)));
    let Some(&(op, template)) = found else {
        return unmatched();
    };
    let mut params = [("", 0, 0); PARAMS_MAX];
    let mut param_count = 0;
    let (mut project_at, mut secret_at) = (None, None);
    for (t, (segment, start)) in template.iter().zip(segments) {
        if let Segment::Param(name, role) = t {
            let (Some(slot), Ok(from), Ok(to)) = (
                params.get_mut(param_count),
                u32::try_from(*start),
                u32::try_from(start + segment.len()),
            ) else {
                return unmatched();
            };
            *slot = (*name, from, to);
            match role {
                Role::Project => project_at = project_at.or(Some(param_count)),
                Role::Secret => secret_at = secret_at.or(Some(param_count)),
                Role::Version | Role::Other => {}
            }
            param_count += 1;
        }
    }
    Classified {
        operation: Some(op),
        encoded: memchr::memchr(b'%', trimmed.as_bytes()).is_some(),
        path: path_and_query,
        params,
        param_count,
        project_at,
        secret_at,
        control_path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str) -> Option<Operation> {
        classify(method, path).operation
    }

    #[test]
    fn literals_win_over_templates_and_names_are_extracted() {
        use Operation as O;
        let c = classify("POST", "/v1/p1/secrets/batch-import");
        assert_eq!(c.operation, Some(O::BatchImportSecrets));
        let c = classify("GET", "/v1/p1/secrets/batch-import");
        assert_eq!(c.operation, Some(O::ShowSecret));
        assert_eq!(c.secret().as_deref(), Some("batch-import"));
        assert_eq!(c.project().as_deref(), Some("p1"));
        assert_eq!(
            op("GET", "/v1/p1/secrets/s/versions/v1"),
            Some(O::ShowSecretVersion)
        );
        assert_eq!(
            op("GET", "/v1/p1/secrets/s/versions/"),
            Some(O::ShowSecretVersion)
        );
        assert_eq!(
            op("GET", "/v1/p1/csms/events/tags"),
            Some(O::ShowSecretEvent)
        );
        assert_eq!(op("GET", "/v1/p1/csms/abc/tags"), Some(O::ListSecretTags));
        assert_eq!(
            op("DELETE", "/v1/p1/csms/abc/tags/action"),
            Some(O::DeleteSecretTag)
        );
        assert_eq!(op("HEAD", "/_emulator/health"), Some(O::EmulatorHealth));
        assert_eq!(op("PATCH", "/v1/p1/secrets"), None);
        assert_eq!(op("GET", "/nothing"), None);
        assert_eq!(op("GET", "/v1/p1/secrets/"), None);
        assert_eq!(op("GET", "//v1/p1/secrets"), None);
    }

    #[test]
    fn parameters_keep_their_encoding_until_asked_for() {
        let c = classify("GET", "/v1/p1/secrets/a%2Fb");
        assert_eq!(c.raw_params().collect::<Vec<_>>(), ["p1", "a%2Fb"]);
        assert_eq!(c.secret().as_deref(), Some("a/b"));
        assert!(c.is_encoded("a%2Fb") && !c.is_encoded("p1"));
        // The project is encoded, the secret not: each is decoded on its own.
        let c = classify("GET", "/v1/p%31/secrets/ab");
        assert_eq!(c.project().as_deref(), Some("p1"));
        assert!(matches!(c.secret(), Some(Cow::Borrowed("ab"))));
        // A `%` in the query alone leaves the parameters as they are.
        let c = classify("GET", "/v1/p1/secrets/ab?marker=%41");
        assert!(!c.is_encoded("ab"));
        assert!(matches!(c.secret(), Some(Cow::Borrowed("ab"))));
        assert_eq!(classify("GET", "/nothing").operation_name(), "Unknown");
    }

    #[test]
    fn no_template_is_longer_than_the_classifier_splits() {
        for (op, template) in TEMPLATES.iter() {
            assert!(template.len() <= SEGMENTS_MAX, "{op:?}");
            let params = template
                .iter()
                .filter(|s| matches!(s, Segment::Param(..)))
                .count();
            assert!(params <= PARAMS_MAX, "{op:?}");
        }
        // Every operation, and the requests none fits, has a slot of kept metrics.
        assert!(Operation::ALL.len() < crate::control::metrics::OPERATION_SLOTS);
        let long = format!("/v1/p{}", "/x".repeat(SEGMENTS_MAX + 3));
        assert_eq!(classify("GET", &long).operation, None);
    }

    #[test]
    fn every_method_and_path_is_in_the_table_once() {
        let mut seen = std::collections::BTreeSet::new();
        for op in Operation::ALL {
            assert!(seen.insert((op.method(), op.path())), "{op:?}");
            assert_eq!(format!("{op:?}"), op.name());
        }
        // the 46 CSMS operations are all there
        let csms = Operation::ALL
            .iter()
            .filter(|op| op.path().starts_with("/v1/"))
            .count();
        assert_eq!(csms, 46);
    }

    /// A request path for an operation: each template parameter filled with a sample.
    fn sample(op: Operation) -> String {
        op.path()
            .split('/')
            .map(|s| if s.starts_with('{') { "x1" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_operation_is_what_its_own_template_classifies_as() {
        for &op in Operation::ALL {
            let c = classify(op.method(), &sample(op));
            assert_eq!(c.operation, Some(op), "{}", sample(op));
            assert_eq!(c.raw_params().count(), op.path().matches('{').count());
            assert_eq!(c.control_path, op.is_control());
        }
    }
}
