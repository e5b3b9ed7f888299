//! Version and stage wire types: the create-version, update-version and update-stage
//! bodies, and the version, version-list and stage answers.

use std::sync::Arc;

use serde::Serialize;

use super::input::{optional, required};
use super::json_text::{WriteJson, name_text, write_int, write_str};
use super::page::PageInfoDto;
use super::queries::ListVersionsQuery;
use crate::clock::Millis;
use crate::domain::limits::VALUE_MAX_BYTES;
use crate::domain::names::{KmsKeyId, SecretName, StageName, VersionMarker, VersionNumber};
use crate::domain::page::PageLimit;
use crate::domain::value::SecretValue;
use crate::error::CsmsError;
use crate::service::{CreateVersion, Listing, StageInfo, VersionInfo};

/// 2100-01-01T00:00:00Z: the earliest `expire_time` the OpenAPI document offers, so a
/// generated one is in the future whatever the emulator's clock says (short of a clock
/// moved past it). The emulator takes any future moment.
const FAR_FUTURE_MS: i64 = 4_102_444_800_000;

/// The body of create-secret-version, as sent (`CreateSecretVersionRequestBody`,
/// "Creating a Secret Version" page).
#[derive(Default, Clone, serde::Deserialize, schemars::JsonSchema)]
#[schemars(extend("example" = {"secret_string": "next-value"}))]
#[schemars(extend("oneOf" = [{"required": ["secret_string"]}, {"required": ["secret_binary"]}]))]
pub struct CreateVersionBody {
    #[schemars(length(max = crate::domain::limits::VALUE_MAX_BYTES), regex(pattern = crate::domain::value::BASE64_PATTERN))]
    pub secret_binary: Option<String>,
    #[schemars(length(max = crate::domain::limits::VALUE_MAX_BYTES))]
    pub secret_string: Option<String>,
    #[schemars(length(min = 1, max = crate::domain::limits::STAGES_MAX), inner(regex(pattern = crate::domain::names::NAME_PATTERN)))]
    pub version_stages: Option<Vec<String>>,
    /// Epoch milliseconds, in the future; the document offers 2100 to 2286.
    #[schemars(range(min = FAR_FUTURE_MS, max = crate::domain::limits::EXPIRE_TIME_MAX_MS))]
    pub expire_time: Option<i64>,
}

impl std::fmt::Debug for CreateVersionBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("CreateVersionBody")
            .field("secret_string", &redacted(self.secret_string.as_deref()))
            .field("secret_binary", &redacted(self.secret_binary.as_deref()))
            .field("version_stages", &self.version_stages)
            .field("expire_time", &self.expire_time)
            .finish()
    }
}

impl TryFrom<CreateVersionBody> for CreateVersion {
    type Error = CsmsError;

    fn try_from(body: CreateVersionBody) -> Result<Self, CsmsError> {
        let stages = body.version_stages.map(StageName::parse_list).transpose()?;
        let value =
            SecretValue::from_fields(body.secret_string, body.secret_binary, VALUE_MAX_BYTES)?;
        Ok(Self {
            value,
            stages,
            expire_time: body.expire_time,
        })
    }
}

impl ListVersionsQuery {
    /// The page size, and the version the page starts after.
    pub fn parse(&self) -> Result<(PageLimit, Option<VersionMarker>), CsmsError> {
        let limit = PageLimit::parse(self.limit.as_deref())?;
        let marker = optional(self.marker.as_deref(), VersionMarker::parse)?;
        Ok((limit, marker))
    }
}

/// The body of update-version.
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
pub struct UpdateVersionBody {
    /// Epoch milliseconds, in the future; the document offers 2100 to 2286.
    #[schemars(required, range(min = FAR_FUTURE_MS, max = crate::domain::limits::EXPIRE_TIME_MAX_MS))]
    pub expire_time: Option<i64>,
}

/// The body of update-secret-stage.
#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
pub struct UpdateStageBody {
    #[schemars(required, regex(pattern = "^v[0-9]{1,10}$"))]
    pub version_id: Option<String>,
}

impl UpdateVersionBody {
    /// The new expiry, in epoch milliseconds; whether it lies in the future is the
    /// service's to say, against its clock.
    pub fn expire_time(&self) -> Result<Millis, CsmsError> {
        required(self.expire_time, "expire_time")
    }
}

impl UpdateStageBody {
    /// The version the stage moves to.
    pub fn version(&self) -> Result<VersionNumber, CsmsError> {
        VersionNumber::parse(
            "version_id",
            required(self.version_id.as_deref(), "version_id")?,
        )
    }
}

/// `VersionMetadata` ("Creating a Secret Version" page).
#[derive(Debug, Serialize)]
pub struct VersionMetadataDto {
    #[serde(serialize_with = "version_id")]
    pub id: VersionNumber,
    pub create_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<i64>,
    pub kms_key_id: KmsKeyId,
    /// Shared with the secret, not copied.
    #[serde(serialize_with = "name_text")]
    pub secret_name: SecretName,
    pub version_stages: Vec<StageName>,
}

/// A version's metadata; its strings move into the answer, the shared ones shared.
impl From<VersionInfo> for VersionMetadataDto {
    fn from(v: VersionInfo) -> Self {
        Self {
            id: v.id,
            create_time: v.create_time,
            expire_time: v.expire_time,
            kms_key_id: v.kms_key_id,
            secret_name: v.secret_name,
            version_stages: v.stages,
        }
    }
}

/// A version number as its id, `v` and the number, put together on the stack.
#[allow(clippy::trivially_copy_pass_by_ref)] // the signature `serialize_with` requires
fn version_id<S: serde::Serializer>(id: &VersionNumber, out: S) -> Result<S::Ok, S::Error> {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(id.0).as_bytes();
    let mut text = [b'v'; 11];
    let end = digits.len() + 1;
    text[1..end].copy_from_slice(digits);
    out.serialize_str(std::str::from_utf8(&text[..end]).map_err(serde::ser::Error::custom)?)
}

/// `{"version_metadata": VersionMetadata}`.
#[derive(Debug, Serialize)]
pub struct VersionMetadataResponse {
    pub version_metadata: VersionMetadataDto,
}

/// The answer of list-secret-versions.
#[derive(Debug, Serialize)]
pub struct ListVersionsResponse {
    pub version_metadatas: Vec<VersionMetadataDto>,
    pub page_info: PageInfoDto,
}

impl From<Listing<VersionInfo>> for ListVersionsResponse {
    fn from(listing: Listing<VersionInfo>) -> Self {
        let page_info = PageInfoDto::of(&listing);
        Self {
            version_metadatas: listing
                .items
                .into_iter()
                .map(VersionMetadataDto::from)
                .collect(),
            page_info,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(
        number: u32,
        expire_time: Option<i64>,
        name: &str,
        stages: &[&str],
        value: Option<SecretValue>,
    ) -> VersionResponse {
        VersionResponse::from(VersionInfo {
            id: VersionNumber(number),
            create_time: 1_795_000_000_123,
            expire_time,
            kms_key_id: KmsKeyId::parse("0716956c-b25c-51bd-b40e-d00c78dbd23c").unwrap(),
            secret_name: crate::domain::names::SecretName::parse_lookup("name", name).unwrap(),
            stages: stages
                .iter()
                .map(|s| StageName::parse("stage", s).unwrap())
                .collect(),
            value,
        })
    }

    #[test]
    fn the_version_answer_writes_what_serde_json_writes() {
        let answers = [
            answer(
                1,
                None,
                "db",
                &["SYSCURRENT"],
                Some(SecretValue::Text("v".into())),
            ),
            answer(
                4_294_967_295,
                Some(4_102_444_800_000),
                "a.b-c_d",
                &["SYSCURRENT", "SYSPREVIOUS", "custom-1"],
                Some(SecretValue::Text(
                    "quote \" backslash \\ line\n é 🎉 \u{1}".into(),
                )),
            ),
            answer(
                12,
                Some(-5),
                "x",
                &[],
                Some(SecretValue::Binary("AAEC/w==".into())),
            ),
            answer(3, None, "no-value", &["SYSPREVIOUS"], None),
        ];
        for answer in answers {
            super::super::json_text::assert_writes_as_serde_json(&answer);
        }
    }

    #[test]
    fn version_ids_are_v_and_the_number() {
        for n in [1, 9, 10, 12_345, u32::MAX] {
            let mut out = Vec::new();
            version_id(
                &VersionNumber(n),
                &mut serde_json::Serializer::new(&mut out),
            )
            .unwrap();
            assert_eq!(out, format!("\"{}\"", VersionNumber(n)).into_bytes());
        }
    }
}

/// `Version`: metadata plus exactly one of the value fields. `Debug` hides the value.
/// The value is the stored one, shared, not a copy.
#[derive(Serialize)]
pub struct VersionDto {
    pub version_metadata: VersionMetadataDto,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "shared_str")]
    pub secret_string: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "shared_str")]
    pub secret_binary: Option<Arc<str>>,
}

/// A shared string as a JSON string (serde serializes `Arc` only with its `rc` feature).
#[allow(clippy::ref_option)] // the signature `serialize_with` requires
fn shared_str<S: serde::Serializer>(value: &Option<Arc<str>>, out: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(text) => out.serialize_str(text),
        None => out.serialize_none(),
    }
}

impl std::fmt::Debug for VersionDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::value::redacted;
        f.debug_struct("VersionDto")
            .field("version_metadata", &self.version_metadata)
            .field("secret_string", &redacted(self.secret_string.as_deref()))
            .field("secret_binary", &redacted(self.secret_binary.as_deref()))
            .finish()
    }
}

/// `{"version": Version}`.
#[derive(Debug, Serialize)]
pub struct VersionResponse {
    pub version: VersionDto,
}

impl From<VersionInfo> for VersionResponse {
    fn from(mut v: VersionInfo) -> Self {
        let (secret_string, secret_binary) = match v.value.take() {
            Some(SecretValue::Text(text)) => (Some(text), None),
            Some(SecretValue::Binary(base64)) => (None, Some(base64)),
            None => (None, None),
        };
        let version_metadata = VersionMetadataDto::from(v);
        Self {
            version: VersionDto {
                version_metadata,
                secret_string,
                secret_binary,
            },
        }
    }
}

/// The answer's JSON, field for field in the order and with the omissions its
/// `Serialize` derive has (the tests compare the two).
impl WriteJson for VersionResponse {
    fn write_json(&self, out: &mut Vec<u8>) {
        let version = &self.version;
        let meta = &version.version_metadata;
        out.extend_from_slice(br#"{"version":{"version_metadata":{"id":"v"#);
        write_int(out, meta.id.0);
        out.extend_from_slice(br#"","create_time":"#);
        write_int(out, meta.create_time);
        if let Some(expire_time) = meta.expire_time {
            out.extend_from_slice(br#","expire_time":"#);
            write_int(out, expire_time);
        }
        out.extend_from_slice(br#","kms_key_id":"#);
        write_str(out, meta.kms_key_id.as_str());
        out.extend_from_slice(br#","secret_name":"#);
        write_str(out, meta.secret_name.as_str());
        out.extend_from_slice(br#","version_stages":["#);
        for (i, stage) in meta.version_stages.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, stage.as_str());
        }
        out.extend_from_slice(b"]}");
        if let Some(text) = &version.secret_string {
            out.extend_from_slice(br#","secret_string":"#);
            write_str(out, text);
        }
        if let Some(base64) = &version.secret_binary {
            out.extend_from_slice(br#","secret_binary":"#);
            write_str(out, base64);
        }
        out.extend_from_slice(b"}}");
    }
}

/// `Stage`.
#[derive(Debug, Serialize)]
pub struct StageDto {
    pub name: String,
    pub update_time: i64,
    pub secret_name: String,
    pub version_id: String,
}

/// `{"stage": Stage}`.
#[derive(Debug, Serialize)]
pub struct StageResponse {
    pub stage: StageDto,
}

impl From<StageInfo> for StageResponse {
    fn from(s: StageInfo) -> Self {
        Self {
            stage: StageDto {
                name: s.name,
                update_time: s.update_time,
                secret_name: s.secret_name.to_string(),
                version_id: s.version_id.to_string(),
            },
        }
    }
}
