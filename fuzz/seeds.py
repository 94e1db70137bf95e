#!/usr/bin/env python3
"""Regenerates the generated part of the seed corpus (fuzz/corpus/*/seed-*), from the shipped
scenarios, fixtures/default.json and the contracts' example requests. Hand-written seeds and
crash reproducers (crash-*) are left alone. Run from anywhere: python3 fuzz/seeds.py"""
import base64
import glob
import json
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

AC = "AC00000000000000000000000000000001"
TOKEN = "a0000000000000000000000000000001"
ADMIN_KEY = "00000000-0000-4000-a000-0000000000a1"
NOTIFIER_KEY = "00000000-0000-4000-a000-0000000000a2"
PATIENT = "4a635639-fcf5-4cca-9b79-25376fdb460f"
ACCOUNT = "00000000-0000-4000-a000-000000000001"
# Values captured at run time in the scenarios, replaced by what sequential ids produce.
CAPTURED = {"sid": "SM00000000000000000000000000000001"}


def strip_comments(text):
    return re.sub(r"^\s*//.*$", "", text, flags=re.M)


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(CORPUS, target, "seed-" + name), "wb") as f:
        f.write(data)


def substitute(text, variables):
    return re.sub(r"\{\{([A-Za-z0-9_.-]+)\}\}",
                  lambda m: variables.get(m.group(1), CAPTURED.get(m.group(1), "x")), text)


def request_text(step, variables):
    sub = lambda v: json.loads(substitute(json.dumps(v), variables))
    lines = ["%s %s" % (step["method"], substitute(step["path"], variables))]
    if "basic_auth" in step:
        lines.append("@auth: " + substitute(step["basic_auth"], variables))
    body = ""
    if "form" in step:
        form = sub(step["form"])
        lines.append("Content-Type: application/x-www-form-urlencoded")
        pairs = []
        for k, v in form.items():
            for item in (v if isinstance(v, list) else [v]):
                pairs.append((k, item if isinstance(item, str) else json.dumps(item)))
        from urllib.parse import urlencode
        body = urlencode(pairs)
    elif "json" in step:
        lines.append("Content-Type: application/json")
        body = json.dumps(sub(step["json"]))
    elif "body" in step:
        body = substitute(step["body"] if isinstance(step["body"], str) else json.dumps(step["body"]), variables)
        lines.append("Content-Type: " + step.get("content_type", "application/json"))
    return "\n".join(lines) + "\n\n" + body


def scenario_seeds():
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.json"))):
        name = os.path.splitext(os.path.basename(path))[0]
        shutil.copy(path, os.path.join(CORPUS, "scenario", "seed-" + name + ".json"))
        doc = json.loads(strip_comments(open(path).read()))
        variables = doc.get("vars", {})
        per_service = {"truevault": [], "twilio": []}
        for step in doc["steps"]:
            if "method" not in step:
                continue
            text = request_text(step, variables)
            per_service[step["service"]].append(text)
            write(step["service"] + "_http", "%s-%s" % (name, step["id"]), text)
        for service, texts in per_service.items():
            if len(texts) > 1:
                write(service + "_http", name + "-all", "\n~~~\n".join(texts[:4]))


def twilio_seeds():
    form = "Content-Type: application/x-www-form-urlencoded\n"
    auth = "@auth: %s:%s\n" % (AC, TOKEN)
    write("twilio_http", "create", "=create_message\n" + auth + form +
          "\nTo=%2B15550001111&From=%2B15557778888&Body=Hello+from+the+fuzzer")
    write("twilio_http", "create-service-media", "=create_message\n" + auth + form +
          "\nTo=%2B15550001111&MessagingServiceSid=MG00000000000000000000000000000001"
          "&MediaUrl=http%3A%2F%2F127.0.0.1%3A1%2Fa.png&MediaUrl=http%3A%2F%2F127.0.0.1%3A1%2Fb.png"
          "&StatusCallback=http%3A%2F%2F127.0.0.1%3A1%2Fcb")
    write("twilio_http", "create-multipart", "=create_message\n" + auth +
          "Content-Type: multipart/form-data; boundary=XyZ\n\n"
          "--XyZ\r\nContent-Disposition: form-data; name=\"To\"\r\n\r\n+15550001111\r\n"
          "--XyZ\r\nContent-Disposition: form-data; name=\"From\"\r\n\r\n+15557778888\r\n"
          "--XyZ\r\nContent-Disposition: form-data; name=\"Body\"\r\n\r\nhi \xe2\x9c\x93\r\n--XyZ--\r\n")
    write("twilio_http", "create-key", "=create_message\n@auth: SK00000000000000000000000000000001:mock-api-key-secret\n" +
          form + "\nTo=%2B15005550006&From=%2B15005550006&Body=test")
    write("twilio_http", "create-test-account-magic",
          "=create_message\n@auth: AC00000000000000000000000000000003:a0000000000000000000000000000003\n" +
          "@id: AC00000000000000000000000000000003\n" + form + "\nTo=%2B15005550001&From=%2B15005550006&Body=x")
    write("twilio_http", "create-fetch-update-delete",
          "=create_message\n" + auth + form + "\nTo=%2B15550001111&From=%2B15557778888&Body=hi\n~~~\n"
          "=fetch_message\n" + auth + "\n\n~~~\n"
          "=update_message\n" + auth + form + "\nBody=\n~~~\n"
          "=delete_message\n" + auth + "\n")
    write("twilio_http", "list-filters", "=list_message\n" + auth +
          "@query: To=%2B15550001111&DateSent%3E=2026-01-01&PageSize=2&Page=0\n\n")
    write("twilio_http", "advance-and-clock",
          "=create_message\n" + auth + form + "\nTo=%2B15550001111&From=%2B15557778888&Body=hi&"
          "StatusCallback=http%3A%2F%2F127.0.0.1%3A1%2Fcb\n~~~\n"
          "POST /_mock/clock\nContent-Type: application/json\n\n{\"advance_seconds\": 30}\n~~~\n"
          "=advance_message\nContent-Type: application/json\n\n{\"status\": \"failed\", \"error_code\": 30003}\n~~~\n"
          "=list_callbacks\n\n")
    write("twilio_http", "lifecycle", "=update_lifecycle\nContent-Type: application/json\n\n"
          "{\"mode\": \"manual\", \"delays_ms\": {\"queued\": 10, \"sent\": 20}}")
    write("twilio_http", "callback-options", "=update_callback_options\nContent-Type: application/json\n\n"
          "{\"max_attempts\": 2, \"timeout_ms\": 100, \"duplicate\": true, \"reorder\": true}")
    write("twilio_http", "inbound", "=receive_inbound\nContent-Type: application/json\n\n"
          "{\"from\": \"+15550001111\", \"to\": \"+15557778888\", \"body\": \"STOP\"}")
    write("twilio_http", "reset", "POST /_mock/reset\nContent-Type: application/json\n\n{\"seed\": 7}")
    write("twilio_http", "journal-export", "=create_message\n" + auth + form +
          "\nTo=%2B15550001111&From=%2B15557778888&Body=hi\n~~~\n"
          "POST /_mock/journal/export\nContent-Type: application/json\n\n{\"name\": \"x\", \"keep_pii\": true}")
    write("twilio_http", "no-auth", "=list_message\n\n")
    write("twilio_http", "unknown-route", "GET /2010-04-01/Accounts/AC1/Calls.json\n\n")


def truevault_seeds():
    admin = "@auth: %s:\n" % ADMIN_KEY
    form = "Content-Type: application/x-www-form-urlencoded\n"
    attrs = base64.b64encode(json.dumps({"name": "Fuzz", "phone": "5550002222"}).encode()).decode()
    policy = base64.b64encode(json.dumps(
        [{"Resources": ["User::$[id=self.id]", "User::.*::Message"], "Activities": "CRU"}]).encode()).decode()
    write("truevault_http", "login-me-logout",
          "=login\n" + form + "\nusername=patient%40example.com&password=patient-password&account_id=" + ACCOUNT +
          "\n~~~\n=read_current_user\n@auth: x:\n@query: full=true\n\n")
    write("truevault_http", "create-user", "=create_user\n" + admin + form +
          "\nusername=fuzz&password=pw&attributes=" + attrs)
    write("truevault_http", "create-user-query", "=create_user\n" + admin +
          "@query: username=q&attributes=e30%3D%0A\n\n")
    write("truevault_http", "users", "=list_users\n" + admin + "@query: full=true\n\n~~~\n"
          "=read_user\n" + admin + "\n\n~~~\n=read_users\n" + admin + "@id: " + PATIENT + "," + ADMIN_KEY + "\n\n")
    write("truevault_http", "update-user", "=update_user\n" + admin + form + "\nattributes=" + attrs + "&status=ACTIVATED")
    write("truevault_http", "delete-user", "=delete_user\n" + admin + "\n")
    write("truevault_http", "api-key-token", "=create_user_api_key\n" + admin + "\n~~~\n"
          "=create_user_access_token\n" + admin + form + "\nnot_valid_after+=2030-01-01T00:00:00Z")
    write("truevault_http", "groups", "=create_group\n" + admin + form + "\nname=fuzzers&policy=" + policy +
          "&user_ids=" + PATIENT + "\n~~~\n=list_groups\n" + admin + "\n\n~~~\n"
          "=update_group\n" + admin + form + "\noperation=APPEND&user_ids=" + PATIENT + "\n~~~\n"
          "=read_group\n" + admin + "@query: full=true\n\n")
    write("truevault_http", "membership", "=add_users_to_group\n" + admin +
          "Content-Type: application/json\n\n{\"user_ids\": [\"" + PATIENT + "\"]}\n~~~\n"
          "=remove_users_from_group\n" + admin + "@id: 00000000-0000-4000-a000-000000000204\n@id: " + PATIENT + "\n\n~~~\n"
          "=delete_group\n" + admin + "\n\n")
    write("truevault_http", "bad-regex-policy", "=create_group\n" + admin + form + "\nname=bad&policy=" +
          base64.b64encode(b'[{"Resources": ["User::(a"], "Activities": "R"}]').decode())
    write("truevault_http", "sms-literal", "=send_sms\n@auth: %s:\nContent-Type: application/json\n\n" % NOTIFIER_KEY +
          json.dumps({"provider": "TWILIO", "auth": {"account_sid": AC, "username": AC, "password": TOKEN},
                      "from_number": {"literal_value": "+15557778888"}, "to_number": {"literal_value": "+15550001111"},
                      "message_body": "hi"}))
    write("truevault_http", "outbox", "=list_outbox\n\n~~~\n=clear_outbox\n\n")
    write("truevault_http", "no-auth", "=list_users\n\n")
    write("truevault_http", "unknown-route", "GET /v1/vaults\n@auth: %s:\n\n" % ADMIN_KEY)


def fixture_seeds():
    shutil.copy(os.path.join(ROOT, "fixtures", "default.json"), os.path.join(CORPUS, "fixture", "seed-default.json"))
    doc = json.loads(strip_comments(open(os.path.join(ROOT, "fixtures", "default.json")).read()))
    write("fixture", "minimal.json", json.dumps({"description": "x", "truevault": {"accounts": [], "groups": [], "users": []},
                                                 "twilio": {"accounts": []}}))
    small = json.loads(json.dumps(doc))
    small["truevault"]["groups"] = small["truevault"]["groups"][:1]
    small["truevault"]["groups"][0]["policy"] = [{"Activities": "R", "Resources": ["User::(a"]}]
    write("fixture", "bad-policy.json", json.dumps(small))
    for group in doc["truevault"]["groups"]:
        p = json.dumps(group["policy"])
        write("policy", group["name"].lower() + "-patient", "R\nUser::" + PATIENT + "\n" + PATIENT + "\n" + p)
        write("policy", group["name"].lower() + "-message", "C\nUser::" + PATIENT + "::Message\n" + ADMIN_KEY + "\n" + p)


def policy_seeds():
    write("policy", "self", "U\nUser::abc\nabc\n" + json.dumps([{"Resources": ["User::$[id=self.id]"], "Activities": "RU"}]))
    write("policy", "bad-regex", "R\nUser::x\nx\n" + json.dumps([{"Resources": ["User::(a", "(?P<n>x)\\1"], "Activities": "R"}]))
    write("policy", "not-array", "D\nGroup::1\n1\n{\"Resources\": [\".*\"], \"Activities\": \"D\"}")
    write("policy", "empty", "C\n\n\n[]")


def simple_seeds():
    for i, text in enumerate([b"", b"aGVsbG8=", b"aGVsbG8", b"aGVs\nbG8=\n", b"e30=", b"////", b"A===",
                              b"eyJuYW1lIjoiSGVhbHRoQ28gQWRtaW4ifQ==", b"YWJj ZA", b"\x00\xff"]):
        write("base64", "%d" % i, text)
    forms = [
        b"\x00To=%2B15550001111&From=%2B15557778888&Body=Hello+World%21&MediaUrl=a&MediaUrl=b",
        b"\x00DateSent%3E=2026-01-01&%zz=%4&k&=v&&a=b=c",
        b"\x00/2010-04-01/Accounts/AC1/Messages.json?To=%2B1&PageSize=50#frag",
        b"\x00\xe2\x9c\x93\xf0\x9f\x98\x80\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80",
        b"\x01application/x-www-form-urlencoded\n100\nusername=a&password=b",
        b"\x01application/json; charset=utf-8\n5\n{\"user_ids\": []}",
        b"\x01text/plain\n0\n",
        b"\x01application/vnd.api+json\n999\n{}",
        b"\x02XyZ\n--XyZ\r\nContent-Disposition: form-data; name=\"To\"\r\n\r\n+15550001111\r\n"
        b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XyZ--\r\n",
        b"\x02b\n--b\r\n\r\n--b--",
    ]
    for i, data in enumerate(forms):
        write("form", "%d" % i, data)


if __name__ == "__main__":
    for target in os.listdir(CORPUS) if os.path.isdir(CORPUS) else []:
        for f in glob.glob(os.path.join(CORPUS, target, "seed-*")):
            os.remove(f)
    for target in ["form", "base64", "policy", "scenario", "fixture", "twilio_http", "truevault_http"]:
        os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    scenario_seeds()
    twilio_seeds()
    truevault_seeds()
    fixture_seeds()
    policy_seeds()
    simple_seeds()
    for target in sorted(os.listdir(CORPUS)):
        print(target, len(os.listdir(os.path.join(CORPUS, target))))
