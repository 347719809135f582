"""Checks infra/template.yaml beyond cfn-lint's own pass over it.

1. Runs the SAM transform offline (aws-sam-translator, no AWS account) and writes the plain
   CloudFormation it makes to target/infra/template.json, for cfn-lint to check too: that is what
   catches a misspelled !Ref inside a SAM resource.
2. The DynamoDB table is the one the store creates (`provrum table-definition`).
3. The HTTP API routes are exactly the ones /openapi.json publishes, each on one function.
4. Operations (infra/README.md, the runbook): every alarm the runbook describes exists, watches
   its metric, has its threshold as a parameter and reaches the one alarm topic; the yearly
   schedule and its function keep what fails in the dead-letter queue, which is watched; every
   function is traced with X-Ray. Then each alarm is removed in turn, and the check must fail
   without it: a check that passes without an alarm would not protect it. And the table: every
   function, permission and alarm names it through one switch, so pointing the stack at a
   restored table (the runbook) is one parameter, RestoredTableName.

Usage: infra_check.py TEMPLATE PROVRUM_BINARY OPENAPI_JSON OUT_JSON
"""

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

# The transform looks up the region (for ARNs and partitions); nothing is sent to AWS.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")

from samtranslator.public.translator import ManagedPolicyLoader  # noqa: F401  (API check)
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The transform asks IAM for AWS managed policies; the template uses none by name."""

    def load(self):
        return {}


class CheckFailed(Exception):
    pass


def fail(message):
    raise CheckFailed(message)


def ref(value):
    """The logical id a `{"Ref": X}` or `{"Fn::GetAtt": [X, ...]}` names, else None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            return value["Fn::GetAtt"][0]
    return None


# DynamoDB operations the functions' store calls (shared/store/src/dynamo), by their SDK method:
# migrate.rs and table.rs are the CLI's (a Scan, creating tables), never a function's.
SDK_CALL = re.compile(r"\.(get_item|batch_get_item|query|put_item|update_item|delete_item|transact_write_items|transact_get_items|batch_write_item|scan)\(\)")


def store_operations():
    root = Path(__file__).resolve().parent.parent / "shared/store/src/dynamo"
    found = set()
    for path in root.glob("*.rs"):
        if path.name in ("migrate.rs", "table.rs"):
            continue
        for call in SDK_CALL.findall(path.read_text(encoding="utf-8")):
            found.add("".join(part.capitalize() for part in call.split("_")))
    if not found:
        fail(f"no DynamoDB calls found under {root}")
    return found


def metric_stats(alarm):
    """An alarm's metrics as (namespace, name, {dimension: value}), single or in metric math."""
    props = alarm["Properties"]
    if "MetricName" in props:
        dims = {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
        return [(props["Namespace"], props["MetricName"], dims)]
    stats = []
    for query in props.get("Metrics", []):
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            stats.append((metric["Namespace"], metric["MetricName"], dims))
    return stats


RUNBOOK = Path(__file__).resolve().parent.parent / "infra/README.md"
RESTORED = "UseRestoredTable"


def table_in_use(table):
    """The table's name where the functions use it: the stack's own, or a restored one."""
    return {"Fn::If": [RESTORED, {"Ref": "RestoredTableName"}, {"Ref": table}]}


def names_table(value, table):
    """Whether `value` (a piece of template) names the table outside the restored-table switch."""
    if isinstance(value, dict):
        if value.get("Ref") == table or value.get("Fn::GetAtt", [None])[0] == table:
            return True
        if "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            if "${" + table + "}" in text or "${" + table + "." in text:
                return True
        if "Fn::If" in value and value["Fn::If"][0] == RESTORED:
            return False
        return any(names_table(v, table) for v in value.values())
    if isinstance(value, list):
        return any(names_table(v, table) for v in value)
    return False


def check_restorable(resources, outputs):
    """Pointing the stack at a restored table (the runbook's restore) is one parameter: every
    function's table, permission and alarm goes through the UseRestoredTable switch."""
    tables = [n for n, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"]
    table = tables[0]
    for name, resource in resources.items():
        if name != table and names_table(resource.get("Properties", {}), table):
            fail(f"{name} names the table {table} directly: after a restore it would still use the "
                 f"old one (use the {RESTORED} switch, RestoredTableName)")
    if names_table(outputs, table):
        fail(f"an output names the table {table} directly (use the {RESTORED} switch)")
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            env = resource["Properties"].get("Environment", {}).get("Variables", {})
            if env.get("PROVRUM_TABLE") != table_in_use(table):
                fail(f"{name}'s PROVRUM_TABLE is not the table in use")


def check_operations(resources, parameters):
    """The alarms, the dead-letter queue and tracing (section 4 above). Returns the alarm table."""
    topics = [name for name, r in resources.items() if r["Type"] == "AWS::SNS::Topic"]
    if len(topics) != 1:
        fail(f"expected one alarm topic (AWS::SNS::Topic), found {topics}")
    topic = topics[0]
    subscriptions = [r for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
    if not any(ref(r["Properties"].get("TopicArn")) == topic and ref(r["Properties"].get("Endpoint")) == "AlarmEmail"
               for r in subscriptions):
        fail("the alarm topic has no subscription for the AlarmEmail parameter")
    if "AlarmEmail" not in parameters or parameters["AlarmEmail"].get("Default") != "":
        fail("AlarmEmail must be a parameter, empty by default (optional)")

    alarms = {name: r for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    for name, alarm in alarms.items():
        props = alarm["Properties"]
        if [ref(a) for a in props.get("AlarmActions", [])] != [topic]:
            fail(f"{name} does not reach the alarm topic {topic} (AlarmActions)")
        threshold = ref(props.get("Threshold"))
        if threshold not in parameters or "Default" not in parameters[threshold]:
            fail(f"{name}'s threshold is not a parameter with a default")
        anchor = re.search(r"infra/README\.md#([a-z0-9-]+)", props.get("AlarmDescription", ""))
        if not anchor or f'<a id="{anchor.group(1)}"></a>' not in RUNBOOK.read_text(encoding="utf-8"):
            fail(f"{name} does not point to its section of the runbook (infra/README.md)")

    def watching(namespace, metric, **dims):
        """The alarms with a metric of `namespace`/`metric` whose dimensions include `dims`."""
        return sorted(
            name for name, alarm in alarms.items()
            if any(ns == namespace and m == metric and all(d.get(k) == v for k, v in dims.items())
                   for ns, m, d in metric_stats(alarm))
        )

    table = []

    def need(what, namespace, metric, **dims):
        found = watching(namespace, metric, **dims)
        if not found:
            fail(f"no alarm on {what}: {namespace} {metric} {dims}")
        for name in found:
            table.append((name, f"{namespace} {metric}", what))

    functions = sorted(n for n, r in resources.items() if r["Type"] == "AWS::Lambda::Function")
    for function in functions:
        for metric in ("Errors", "Throttles"):
            need(f"{function} {metric.lower()}", "AWS/Lambda", metric, FunctionName={"Ref": function})
        if resources[function]["Properties"].get("TracingConfig", {}).get("Mode") != "Active":
            fail(f"{function} is not traced (Tracing: Active)")
    apis = [n for n, r in resources.items() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    need("the HTTP API's 5xx", "AWS/ApiGateway", "5xx", ApiId={"Ref": apis[0]})
    need("the HTTP API's requests (for the 5xx share)", "AWS/ApiGateway", "Count", ApiId={"Ref": apis[0]})
    latency = [n for n in watching("AWS/ApiGateway", "Latency", ApiId={"Ref": apis[0]})
               if alarms[n]["Properties"].get("ExtendedStatistic") == "p99"]
    if not latency:
        fail("no alarm on the HTTP API's p99 latency")
    table += [(n, "AWS/ApiGateway Latency p99", "the HTTP API's latency") for n in latency]
    tables = [n for n, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"]
    operations = sorted(store_operations())
    for operation in operations:
        for metric in ("ThrottledRequests", "SystemErrors"):
            need(f"the table: {', '.join(operations)}", "AWS/DynamoDB", metric,
                 TableName=table_in_use(tables[0]), Operation=operation)

    # The yearly schedule: its own group, its dead letters, its failures.
    schedules = [(n, r) for n, r in resources.items() if r["Type"] == "AWS::Scheduler::Schedule"]
    if len(schedules) != 1:
        fail(f"expected one schedule, found {len(schedules)}")
    schedule_name, schedule = schedules[0]
    group = ref(schedule["Properties"].get("GroupName"))
    if group not in resources or resources[group]["Type"] != "AWS::Scheduler::ScheduleGroup":
        fail(f"{schedule_name} is not in a schedule group of its own (GroupName)")
    target = schedule["Properties"]["Target"]
    queue = ref(target.get("DeadLetterConfig", {}).get("Arn"))
    if queue not in resources or resources[queue]["Type"] != "AWS::SQS::Queue":
        fail(f"{schedule_name} has no dead-letter queue (Target.DeadLetterConfig)")
    function = ref(target["Arn"])
    if ref(resources[function]["Properties"].get("DeadLetterConfig", {}).get("TargetArn")) != queue:
        fail(f"{function} (the schedule's target) does not keep its failed runs in {queue} (DeadLetterQueue)")
    role = ref(target["RoleArn"])
    if not any(ref(st.get("Resource")) == queue and st.get("Action") == "sqs:SendMessage"
               for policy in resources[role]["Properties"].get("Policies", [])
               for st in policy["PolicyDocument"]["Statement"]):
        fail(f"the schedule's role {role} may not send to {queue}")
    for metric in ("TargetErrorCount", "InvocationDroppedCount", "InvocationsFailedToBeSentToDeadLetterCount"):
        need("the yearly schedule's failures", "AWS/Scheduler", metric, ScheduleGroup={"Ref": group})
    for metric in ("AsyncEventsDropped", "DeadLetterErrors"):
        need("the yearly report's lost runs", "AWS/Lambda", metric, FunctionName={"Ref": function})
    need("the yearly report's dead letters", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
         QueueName={"Fn::GetAtt": [queue, "QueueName"]})
    need("notices the members never got", "Provrum", "NoticesGivenUp", Stack={"Ref": "AWS::StackName"})
    unchecked = set(alarms) - {name for name, _, _ in table}
    if unchecked:
        fail(f"alarms the check does not know: {sorted(unchecked)} (describe them here and in the runbook)")
    return table


def main():
    try:
        check(*sys.argv[1:5])
    except CheckFailed as e:
        print(f"infra check: {e}", file=sys.stderr)
        sys.exit(1)


def check(template_path, provrum, openapi_path, out_path):
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

    parameters = cfn.get("Parameters", {})
    check_restorable(resources, cfn.get("Outputs", {}))
    table = check_operations(resources, parameters)
    print("infra check: alarms, each to the alarm topic, threshold a parameter:")
    seen = set()
    for name, metric, what in sorted(table):
        if (name, metric) not in seen:
            seen.add((name, metric))
            print(f"  {name:<28} {metric:<58} {what}")
    # Without any one alarm, the check must fail.
    alarms = sorted({name for name, _, _ in table})
    for name in alarms:
        without = copy.deepcopy(resources)
        del without[name]
        try:
            check_operations(without, parameters)
        except CheckFailed:
            continue
        fail(f"the check passes without {name}: it would not notice that alarm missing")
    print(f"infra check: {len(alarms)} alarms; without any one of them the check fails. "
          "Dead letters of the yearly schedule and its function kept and watched; every function traced; "
          "a restored table is one parameter away (RestoredTableName)")


if __name__ == "__main__":
    main()
