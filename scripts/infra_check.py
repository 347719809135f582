"""Checks infra/template.yaml beyond cfn-lint's own pass over it.

1. Runs the SAM transform offline (aws-sam-translator, no AWS account) and writes the plain
   CloudFormation it makes to target/infra/template.json, for cfn-lint to check too: that is what
   catches a misspelled !Ref inside a SAM resource.
2. The DynamoDB table is the one the store creates (`provrum table-definition`).
3. The HTTP API routes are exactly the ones /openapi.json publishes, each on one function.

Usage: infra_check.py TEMPLATE PROVRUM_BINARY OPENAPI_JSON OUT_JSON
"""

import json
import os
import subprocess
import sys

# The transform looks up the region (for ARNs and partitions); nothing is sent to AWS.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")

from samtranslator.public.translator import ManagedPolicyLoader  # noqa: F401  (API check)
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The transform asks IAM for AWS managed policies; the template uses none by name."""

    def load(self):
        return {}


def fail(message):
    print(f"infra check: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    template_path, provrum, openapi_path, out_path = sys.argv[1:5]
    with open(template_path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    # What `sam package` does before the transform: local code becomes an S3 object.
    template.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    for name, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://provrum-artifacts/{name}.zip"
    parameters = {"AWS::Region": "eu-north-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"}
    try:
        cfn = transform(template, parameters, NoManagedPolicies())
    except Exception as e:  # the translator's own errors say what is wrong
        fail(f"the SAM transform failed: {e}")
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(cfn, f, indent=1, sort_keys=True)
    resources = cfn["Resources"]

    tables = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    if len(tables) != 1:
        fail(f"expected one DynamoDB table, found {len(tables)}")
    expected = json.loads(subprocess.run([provrum, "table-definition"], check=True, capture_output=True, text=True).stdout)
    declared = tables[0]["Properties"]
    for key, value in expected.items():
        if declared.get(key) != value:
            fail(f"the table's {key} is {json.dumps(declared.get(key))}, the store makes {json.dumps(value)}")
    for key, value in [("DeletionProtectionEnabled", True), ("PointInTimeRecoverySpecification", {"PointInTimeRecoveryEnabled": True})]:
        if declared.get(key) != value:
            fail(f"the table must have {key} = {json.dumps(value)}")

    routes = {}
    for name, r in resources.items():
        if r["Type"] == "AWS::ApiGatewayV2::Route":
            key = r["Properties"]["RouteKey"]
            if key in routes:
                fail(f"{key} is routed twice")
            routes[key] = name
    api = [r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    if len(api) != 1:
        fail(f"expected one HTTP API, found {len(api)}")
    body_paths = api[0]["Properties"].get("Body", {}).get("paths", {})
    for path, methods in body_paths.items():
        for method in methods:
            if method.startswith("x-"):
                continue
            routes[f"{method.upper()} {path}"] = "inline"
    with open(openapi_path, encoding="utf-8") as f:
        published = {f"{m.upper()} {p}" for p, ops in json.load(f)["paths"].items() for m in ops}
    # The web page's routes, as the code lists them (`provrum web-routes`), on the function
    # that serves the API's /provrum routes (provrum-api serves both routers).
    pages = {f"{m} {p}" for m, p in json.loads(subprocess.run(
        [provrum, "web-routes"], check=True, capture_output=True, text=True).stdout)}
    if set(routes) != published | pages:
        fail(
            "the API's routes differ from /openapi.json and the web page's: "
            f"missing {sorted((published | pages) - set(routes))}, extra {sorted(set(routes) - published - pages)}"
        )
    # SECURITY.md (API4, API8): the API is throttled, its access log holds no header (no token),
    # and CORS never allows credentials. (That each function outlives one store call's patience is
    # checked next to that patience: shared/store/src/dynamo.rs.)
    stages = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Stage"]
    if len(stages) != 1:
        fail(f"expected one API stage, found {len(stages)}")
    throttle = stages[0].get("DefaultRouteSettings", {})
    if not (throttle.get("ThrottlingBurstLimit") and throttle.get("ThrottlingRateLimit")):
        fail("the API stage must throttle every route (DefaultRouteSettings)")
    log_format = stages[0].get("AccessLogSettings", {}).get("Format", "")
    if not log_format:
        fail("the API stage must keep an access log")
    if "$request.header" in log_format or "authorization" in log_format.lower():
        fail("the access log must not record request headers (they carry tokens)")
    cors = api[0]["Properties"].get("CorsConfiguration")
    if isinstance(cors, dict) and cors.get("AllowCredentials"):
        fail("CORS must not allow credentials")
    print(f"infra check: SAM transform ok ({len(resources)} resources), table as the store makes it, "
          f"{len(published)} routes as /openapi.json publishes them and {len(pages)} of the web page, "
          "throttled, no headers logged")


if __name__ == "__main__":
    main()
