//! The table's shape: the one definition `--create-table`, the tests and the infra template use.

use super::DynamoStore;
use super::codec::{build_err, sdk_err};
use crate::{Result, StoreError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1_PK: &str = "GSI1PK";
pub const GSI1_SK: &str = "GSI1SK";
/// The attribute DynamoDB's time to live reads (epoch seconds): sessions carry it.
pub const TTL: &str = "expires";
/// All key attributes are strings; billing is on demand; GSI1 projects all attributes.
pub const KEY_ATTRIBUTES: [&str; 4] = [PK, SK, GSI1_PK, GSI1_SK];

/// The table as CloudFormation `AWS::DynamoDB::Table` properties: what `create_table` makes,
/// and what infra/template.yaml must declare (scripts/infra-check compares them).
pub fn cloudformation() -> serde_json::Value {
    let key = |name: &str, kind: &str| serde_json::json!({"AttributeName": name, "KeyType": kind});
    serde_json::json!({
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": KEY_ATTRIBUTES
            .iter()
            .map(|a| serde_json::json!({"AttributeName": a, "AttributeType": "S"}))
            .collect::<Vec<_>>(),
        "KeySchema": [key(PK, "HASH"), key(SK, "RANGE")],
        "GlobalSecondaryIndexes": [{
            "IndexName": GSI1,
            "KeySchema": [key(GSI1_PK, "HASH"), key(GSI1_SK, "RANGE")],
            "Projection": {"ProjectionType": "ALL"}
        }],
        "TimeToLiveSpecification": {"AttributeName": TTL, "Enabled": true}
    })
}

impl DynamoStore {
    /// Creates the table (on demand, with GSI1 and the time to live on [`TTL`]) unless it
    /// exists; `true` when it was created.
    pub async fn create_table(&self) -> Result<bool> {
        match self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
        {
            Ok(_) => return Ok(false),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_resource_not_found_exception()) => {}
            Err(e) => return Err(sdk_err(e)),
        }
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build_err)
        };
        let key_el = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(build_err)
        };
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(GSI1)
            .key_schema(key_el(GSI1_PK, KeyType::Hash)?)
            .key_schema(key_el(GSI1_SK, KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .map_err(build_err)?;
        let mut request = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key_el(PK, KeyType::Hash)?)
            .key_schema(key_el(SK, KeyType::Range)?)
            .global_secondary_indexes(gsi);
        for name in KEY_ATTRIBUTES {
            request = request.attribute_definitions(attr(name)?);
        }
        request.send().await.map_err(sdk_err)?;
        for _ in 0..60 {
            let described = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(sdk_err)?;
            if described
                .table()
                .and_then(|t| t.table_status())
                .is_some_and(|s| s.as_str() == "ACTIVE")
            {
                self.client
                    .update_time_to_live()
                    .table_name(&self.table)
                    .time_to_live_specification(
                        TimeToLiveSpecification::builder()
                            .attribute_name(TTL)
                            .enabled(true)
                            .build()
                            .map_err(build_err)?,
                    )
                    .send()
                    .await
                    .map_err(sdk_err)?;
                return Ok(true);
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        Err(StoreError::Unavailable(format!(
            "table {} did not become active",
            self.table
        )))
    }
}
