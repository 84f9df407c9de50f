#!/usr/bin/env python3
"""Regenerates corpus.txt: deterministic fake secrets (hash-derived), one shape per line."""
import hashlib, base64
def h(seed, n):  # deterministic fake hex
    out = ""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}-{i}".encode()).hexdigest(); i += 1
    return out[:n]
def an(seed, n):  # deterministic fake alphanumerics
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    d = bytes.fromhex(h(seed, 2*n))
    return "".join(alphabet[b % 62] for b in d)
def up(seed, n):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    d = bytes.fromhex(h(seed, 2*n))
    return "".join(alphabet[b % 32] for b in d)
def b64(seed, nbytes):
    return base64.b64encode(bytes.fromhex(h(seed, 2*nbytes))).decode()
rows = []
def add(cat, needle, text):
    assert needle in text, (cat, needle, text)
    assert "\t" not in text
    rows.append((cat, needle, text.replace("\\", "\\\\").replace("\n", "\\n")))

pem_body = "\n".join([b64("pem1", 48), b64("pem2", 48), b64("pem3", 30)])
# bearer / authorization headers
t = an("bearer1", 32); add("bearer", t, f"Authorization: Bearer {t}")
t = "fakeOpaqueBearer_" + an("bearer2", 12); add("bearer", t, f'curl -H "Authorization: Bearer {t}" returned 401')
t = "bearer-lower-" + an("bearer3", 10); add("bearer", t, f"retried with bearer {t} and it worked")
t = an("bearer4", 7); add("bearer", t, f"Authorization: Bearer {t}")
t = h("tokhdr", 40)[:28] + "fake"; add("bearer", t, f"Authorization: token {t}")
t = "tok_FAKE_" + an("xauth", 14); add("bearer", t, f"X-Auth-Token: {t}")
t = an("xapikeyhdr", 30); add("bearer", t, f"x-api-key: {t}")
t = b64("proxyauth", 24); add("bearer", t.rstrip("="), f"Proxy-Authorization: Basic {t}")
t = an("sswsokta", 40); add("bearer", t, f"Okta said: Authorization: SSWS 00{t}")
# basic auth
t = base64.b64encode(b"admin:correct-horse-battery-fake").decode(); add("basic-auth", t.rstrip("="), f"Authorization: Basic {t}")
t = base64.b64encode(b"user:fakepassword123").decode(); add("basic-auth", t.rstrip("="), f"sent basic {t} to the proxy")
add("basic-auth", "Fak3DeployPass!", "curl -u deploybot:Fak3DeployPass! https://ci.example.com/api")
add("basic-auth", "Fak3UserFlagPw", "curl --user ops:Fak3UserFlagPw -X POST hook")
# AWS
t = "AKIA" + up("akia1", 16); add("aws-access-key-id", t, f"key {t} was rotated")
t = "ASIA" + up("asia1", 16); add("aws-access-key-id", t, f"temporary credentials {t} expired")
t = "AKIA" + up("akia2", 16); add("aws-access-key-id", t, f"AWS_ACCESS_KEY_ID={t}")
s = an("awssecret1", 30) + "/" + an("awssecret1b", 9); add("aws-secret-key", s, f"aws_secret_access_key = {s}")
s = an("awssecret2", 20) + "+" + an("awssecret2b", 19); add("aws-secret-key", s, f'AWS_SECRET_ACCESS_KEY: "{s}"')
s = an("awssecret3", 40); add("aws-secret-key", s, f'{{"AccessKeyId": "AKIA{up("akia3",16)}", "SecretAccessKey": "{s}"}}')
s = "FwoGZXIvYXdzE" + an("awssess", 60); add("aws-session-token", s, f"aws_session_token={s}")
# GitHub
for p in ["ghp", "gho", "ghu", "ghs", "ghr"]:
    t = f"{p}_" + an("gh" + p, 36); add("github", t, f"GitHub token {t} leaked in logs")
t = "github_pat_11" + up("ghpat", 20) + "_" + an("ghpat2", 59); add("github", t, f"GH_TOKEN={t}")
t = "ghs_" + an("ghclone", 36); add("github", t, f"git clone https://x-access-token:{t}@github.com/acme/deploy.git")
t = "ghp_" + an("ghjson", 36); add("github", t, f'{{"github_token":"{t}"}}')
# GitLab
t = "glpat-" + an("glpat", 20); add("gitlab", t, f"PRIVATE-TOKEN: {t}")
t = "glpat-" + an("glpat2", 20); add("gitlab", t, f"gitlab personal token {t}")
t = "glrt-" + an("glrt", 20); add("gitlab", t, f"runner token {t}")
t = "GR1348941" + an("glreg", 20); add("gitlab", t, f"registration {t}")
t = "gldt-" + an("gldt", 20); add("gitlab", t, f"deploy token {t}")
t = "glptt-" + h("glptt", 40); add("gitlab", t, f"trigger {t}")
t = an("cijob", 24); add("gitlab", t, f"CI_JOB_TOKEN={t}")
# Slack
t = "xoxb-" + h("xoxb", 12)[:11].replace("a","1") + "-" + h("xoxb2", 13)[:13] + "-" + an("xoxb3", 24); add("slack", t, f"slack bot {t}")
t = "xoxp-" + "1234567890" + "-" + an("xoxp", 30); add("slack", t, f"SLACK_USER_TOKEN: {t}")
t = "xoxa-2-" + an("xoxa", 30); add("slack", t, f"legacy {t}")
t = "xoxp-1-" + an("xoxe", 40); add("slack", t, f"refresh xoxe.{t}")
t = "xapp-1-A0FAKE-" + an("xapp", 30); add("slack", t, f"socket mode {t}")
w = "T0FAKE123/B0FAKE456/" + an("slackhook", 24); add("slack-webhook", w, f"posting to https://hooks.slack.com/services/{w} failed")
w = "T0FAKE789/B0FAKE012/" + an("slackhook2", 24); add("slack-webhook", w, f"webhook hooks.slack.com/services/{w} (no scheme)")
s = h("slacksign", 32); add("slack", s, f"SLACK_SIGNING_SECRET={s}")
# Jira / Atlassian
t = "ATATT3xFfGF0" + an("atatt", 180) + "=" + h("atattc", 8).upper(); add("atlassian", t, f"jira api token {t}")
t = "ATATT3xFfGF0" + an("atatt2", 60); add("atlassian", t, f"JIRA_API_TOKEN={t}")
t = an("jiratok", 24); add("atlassian", t, f"jira_api_token: {t}")
t = "ATATT3xFfGF0" + an("atatt3", 40); add("atlassian", t, f"https://ops%40example.com:{t}@acme.atlassian.net/rest/api/3/issue")
t = "ATCTT3xFfGN0" + an("atctt", 40); add("atlassian", t, f"confluence_token={t}")
# ServiceNow
add("servicenow", "SnowFake#2026", "servicenow_password=SnowFake#2026 for instance dev12345")
s = an("snsecret", 32); add("servicenow", s, f'SN_CLIENT_SECRET="{s}"')
s = "now_" + an("snapikey", 40); add("servicenow", s, f"x-sn-apikey: {s}")
s = an("snoauth", 40); add("servicenow", s, f"servicenow oauth_token={s}")
# Splunk
g = f"{h('spl1',8)}-{h('spl2',4)}-{h('spl3',4)}-{h('spl4',4)}-{h('spl5',12)}"; add("splunk", g, f"Authorization: Splunk {g}")
g = f"{h('spl6',8)}-{h('spl7',4)}-{h('spl8',4)}-{h('spl9',4)}-{h('spl10',12)}"; add("splunk", g, f"splunk_hec_token={g}")
g = f"{h('spl11',8)}-{h('spl12',4)}-{h('spl13',4)}-{h('spl14',4)}-{h('spl15',12)}"; add("splunk", g, f"HEC rejected Splunk {g} (403)")
s = an("splpw", 16); add("splunk", s, f"splunk admin password: {s}")
# Datadog
k = h("ddapi", 32); add("datadog", k, f"DD_API_KEY={k}")
k = h("ddapp", 40); add("datadog", k, f"DD-APPLICATION-KEY: {k}")
k = "pub" + h("ddclient", 32); add("datadog", k, f"dd_app_key={k}")
k = h("ddapi2", 32); add("datadog", k, f"datadog api_key={k} (site datadoghq.eu)")
k = h("ddapi3", 32); add("datadog", k, f"dd-api-key: {k}")
# Stripe
t = "sk_live_" + an("sklive", 24); add("stripe", t, f"stripe {t}")
t = "rk_live_" + an("rklive", 24); add("stripe", t, f"restricted {t}")
t = "whsec_" + an("whsec", 32); add("stripe", t, f"STRIPE_WEBHOOK_SECRET {t}")
t = "sk_test_" + an("sktest", 24); add("stripe", t, f"test key {t}")
# Google
t = "AIza" + an("aiza", 35); add("google", t, f"maps key {t}")
t = "ya29." + an("ya29", 60); add("google", t, f"oauth access {t}")
t = "GOCSPX-" + an("gocspx", 28); add("google", t, f"client secret {t}")
t = h("gcpkeyid", 40); add("google", t, f'"private_key_id": "{t}"')
add("google", pem_body.split("\n")[0], '"private_key": "-----BEGIN PRIVATE KEY-----\n' + pem_body + '\n-----END PRIVATE KEY-----\n"')
# npm
t = "npm_" + an("npm", 36); add("npm", t, f"NPM_TOKEN={t}")
g = f"{h('npmu1',8)}-{h('npmu2',4)}-{h('npmu3',4)}-{h('npmu4',4)}-{h('npmu5',12)}"; add("npm", g, f"//registry.npmjs.org/:_authToken={g}")
t = "npm_" + an("npm2", 36); add("npm", t, f"publish with {t}")
# SendGrid
t = "SG." + an("sg1", 22) + "." + an("sg2", 43); add("sendgrid", t, f"sendgrid {t}")
t = "SG." + an("sg3", 22) + "." + an("sg4", 43); add("sendgrid", t, f"SENDGRID_API_KEY={t}")
# JWT
def b64u(s): return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")
j = b64u('{"alg":"HS256","typ":"JWT"}') + "." + b64u('{"sub":"fake-user-1","name":"Fake"}') + "." + an("jwtsig", 43)
add("jwt", j.split(".")[1], f"token was {j}")
j = b64u('{"alg":"RS256","kid":"fake"}') + "." + b64u('{"iss":"https://idp.example.com","sub":"svc-fake-2","exp":1999999999}') + "." + an("jwtsig2", 86)
add("jwt", j.split(".")[1], f"id_token={j}")
j = b64u('{"alg":"none"}') + "." + b64u('{"sub":"fake-unsigned-3"}') + "."
add("jwt", j.split(".")[1], f"unsigned jwt {j} accepted")
j = b64u('{"alg":"ES256"}') + "." + b64u('{"sub":"fake-4","scope":"admin"}') + "." + an("jwtsig4", 64)
add("jwt", j.split(".")[1], f'{{"access_token": "{j}"}}')
# PEM private keys
for kind, seed in [("RSA PRIVATE KEY", "rsa"), ("EC PRIVATE KEY", "ec"), ("OPENSSH PRIVATE KEY", "ossh"), ("ENCRYPTED PRIVATE KEY", "enc"), ("DSA PRIVATE KEY", "dsa")]:
    body = b64(seed, 45) + "\n" + b64(seed + "2", 30)
    add("private-key-pem", body.split("\n")[0][:40], f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----")
body = b64("pgp", 45) + "\n" + b64("pgp2", 20)
add("private-key-pem", body[:40], f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{body}\n-----END PGP PRIVATE KEY BLOCK-----")
body = b64("trunc", 45)
add("private-key-pem", body[:40], f"pasted -----BEGIN RSA PRIVATE KEY-----\n{body}\n(truncated)")
body = b64("onelinepem", 45)
add("private-key-pem", body[:40], "key: -----BEGIN PRIVATE KEY-----\\n" + body + "\\n-----END PRIVATE KEY-----")
body = "MII" + b64("derb64", 60)
add("private-key-der", body[:40], f"base64 DER {body}")
t = "AGE-SECRET-KEY-1" + up("age", 58); add("private-key-age", t, f"age identity {t}")
# basic-auth URLs
add("basic-auth-url", "Sup3rFak3Pass", "see https://admin:Sup3rFak3Pass@grafana.example.com/d/abc")
add("basic-auth-url", "PgFakePass99", "DATABASE_URL postgres://app:PgFakePass99@db.internal:5432/prod")
add("basic-auth-url", "MongoFakePw7", "mongodb+srv://svc:MongoFakePw7@cluster0.abcde.mongodb.net/?retryWrites=true")
add("basic-auth-url", "RedisFakePw8", "cache redis://:RedisFakePw8@10.2.3.4:6379/0 refused")
add("basic-auth-url", "RabbitFakePw9", "amqp://guest:RabbitFakePw9@mq.example.net:5672/vhost")
add("basic-auth-url", "FtpFakePw10", "ftp://backup:FtpFakePw10@files.example.org/dump.sql")
add("basic-auth-url", "SchemelessPw11", "connect svc_user:SchemelessPw11@db01.example.com:5432")
add("basic-auth-url", "SentryFakeKey" , "SENTRY_DSN https://SentryFakeKey0123456789abcdef@o123456.ingest.sentry.io/456")
# passwords in query strings
add("query-secret", "QueryFakePw1", "GET /callback?user=ops&password=QueryFakePw1 returned 302")
add("query-secret", "QryTokFake778", "/api/v2/events?env=prod&token=QryTokFake778&page=2")
add("query-secret", "ApiKeyFake5566", "webhook/path?api_key=ApiKeyFake5566")
add("query-secret", "AccTokFake4411", "?access_token=AccTokFake4411&expires_in=3600")
add("query-secret", "AzureSigFake%2Bzz%3D", "blob?sv=2022-11-02&ss=b&srt=sco&sp=rwdlac&se=2026-12-01&sig=AzureSigFake%2Bzz%3D")
add("query-secret", "FakeMapsKey0099", "geocode?address=x&key=FakeMapsKey0099")
add("query-secret", "ClientSecretFake12", "oauth?client_id=cavra&client_secret=ClientSecretFake12")
add("query-secret", "RefreshFake3344", "grant_type=refresh_token&refresh_token=RefreshFake3344")
# URLs with private hosts
add("private-url", "10.0.12.7:8080", "health check http://10.0.12.7:8080/actuator/health timed out")
add("private-url", "jenkins.corp.internal", "see https://jenkins.corp.internal/job/deploy/42")
add("private-url", "fd00:1234::5", "opensearch http://[fd00:1234::5]:9200/_cluster/health")
add("private-url", "localhost:9000/admin", "console at http://localhost:9000/admin")
add("private-url", "grafana.ops.internal", "dashboard grafana.ops.internal:3000/d/xyz")
add("private-url", "vault.prod.local", "unseal vault.prod.local first")
add("private-url", "nas01.home.arpa", "backups on nas01.home.arpa")
# private IPv4
add("private-ipv4", "10.42.17.9", "pod 10.42.17.9 unreachable")
add("private-ipv4", "172.20.14.3", "container at 172.20.14.3")
add("private-ipv4", "172.31.255.254", "vpc host 172.31.255.254 timed out")
add("private-ipv4", "192.168.178.21", "router 192.168.178.21")
add("private-ipv4", "127.0.0.53", "resolver 127.0.0.53:53 refused")
add("private-ipv4", "169.254.169.254", "metadata endpoint 169.254.169.254 blocked")
add("private-ipv4", "100.72.14.200", "tailscale node 100.72.14.200")
add("private-ipv4", "10.40.0.0/16", "allow 10.40.0.0/16 on the firewall")
# IPv6
add("ipv6-ula", "fd12:3456:789a:1::10", "ula fd12:3456:789a:1::10 answered")
add("ipv6-link-local", "fe80::1ff:fe23:4567:890a", "neighbour fe80::1ff:fe23:4567:890a%eth0 down")
add("ipv6-ula", "fc00::dead:beef", "route via fc00::dead:beef")
add("ipv4-mapped", "192.168.7.8", "peer ::ffff:192.168.7.8 reset")
# emails
add("email", "oncall.primary@example.com", "paged oncall.primary@example.com")
add("email", "first.last+alerts@sub.example.co.uk", "cc first.last+alerts@sub.example.co.uk")
add("email", "sre-team@example.org", "mailto:sre-team@example.org")
add("email", "ops_admin@corp-mail.example.net", "<ops_admin@corp-mail.example.net> replied")
# long hex secrets
t = h("hex40", 40); add("hex-secret", t, f"secret {t}")
t = h("hex64", 64); add("hex-secret", t, f"signing secret {t} rotated")
t = h("hex32", 32); add("hex-secret", t, f"secret: {t}")
t = h("hexup", 48).upper(); add("hex-secret", t, f"HMAC {t}")
# passwords
add("password", "Tr0ub4dor", "password: Tr0ub4dor&3")
add("password", "correct horse battery fake", 'Password = "correct horse battery fake"')
add("password", "FakePasswd77", "passwd=FakePasswd77")
add("password", "FakePwd88", "pwd: FakePwd88")
add("password", "JsonFakePw42", '{"password": "JsonFakePw42"}')
add("password", "PhpFakePw43", "'db_password' => 'PhpFakePw43'")
add("password", "FlagFakePw9", "psql --password FlagFakePw9")
add("password", "Hunter2FakeIs", "the password is Hunter2FakeIs")
add("password", "XmlFakePw44", "<password>XmlFakePw44</password>")
add("password", "FakePassPhrase1", "passphrase=FakePassPhrase1")
add("password", "FakeEnvPass45", "PASS=FakeEnvPass45")
add("password", "YamlFakePw46", "db:\n  user: app\n  password: YamlFakePw46\n")
add("password", "ConnStrFakePw47", "Server=tcp:sql.example.net,1433;User Id=sa;Password=ConnStrFakePw47;Encrypt=true")
add("password", "SmtpFakePw48", "SMTP_PASSWORD='SmtpFakePw48'")
# Azure / Sentinel
k = b64("azacct", 64); add("azure-key", k[:40], f"DefaultEndpointsProtocol=https;AccountName=fakeacct;AccountKey={k};EndpointSuffix=core.windows.net")
k = b64("azsas", 32); add("azure-key", k[:30], f"Endpoint=sb://fake.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={k}")
k = b64("sentinel", 64); add("azure-sentinel", k[:40], f"Authorization: SharedKey 5f2c-fake-workspace:{k}")
k = b64("laws", 64); add("azure-sentinel", k[:40], f"workspace_key: {k}")
k = b64("bareaz", 64); add("azure-key", k[:40], f"primary {k}")
k = b64("sharedkey2", 32); add("azure-sentinel", k[:30], f"SharedKey ws-fake:{k}")
# other vendors
t = "sk-proj-" + an("openai", 48); add("openai", t, f"OPENAI_API_KEY {t}")
t = "sk-ant-api03-" + an("anthropic", 60); add("anthropic", t, f"key {t}")
t = "SK" + h("twilio", 32); add("twilio", t, f"twilio api key {t}")
t = "hvs." + an("vault", 24); add("vault", t, f"VAULT_TOKEN {t}")
t = "dckr_pat_" + an("docker", 27); add("docker", t, f"docker login -p {t}")
t = "pypi-AgEIcHlwaS5vcmc" + an("pypi", 60); add("pypi", t, f"twine upload with {t}")
t = "shpat_" + h("shopify", 32); add("shopify", t, f"shopify {t}")
t = "dop_v1_" + h("digitalocean", 64); add("digitalocean", t, f"doctl {t}")
t = "key-" + h("mailgun", 32); add("mailgun", t, f"mailgun {t}")
t = "NRAK-" + up("newrelic", 27); add("newrelic", t, f"new relic {t}")
t = "dapi" + h("databricks", 32); add("databricks", t, f"databricks {t}")
t = "glsa_" + an("grafana", 32) + "_" + h("grafana2", 8); add("grafana", t, f"grafana sa {t}")
t = "lin_api_" + an("linear", 40); add("linear", t, f"linear {t}")
t = "R0" + an("pagerduty", 30); add("pagerduty", t, f"routing_key={t}")
t = an("pdint", 32); add("pagerduty", t, f"integration_key: {t}")
add("cookie", "FakeSessionCookie123", "Cookie: session=FakeSessionCookie123; csrftoken=FakeCsrf456")
add("cookie", "FakeCsrf457", "Cookie: theme=dark; csrftoken=FakeCsrf457")
add("cookie", "FAKEJSESSION0123456789", "Set-Cookie: JSESSIONID=FAKEJSESSION0123456789; Path=/; HttpOnly")
t = an("herokukey", 36); add("heroku", t, f"HEROKU_API_KEY={t}")
t = an("telegram", 35); add("telegram", t, f"https://api.telegram.org/bot123456789:{t}/sendMessage")
t = an("discordhook", 60); add("discord-webhook", t, f"discord.com/api/webhooks/123456789012345678/{t}")
t = an("teamshook", 32); add("teams-webhook", t, f"https://acme.webhook.office.com/webhookb2/{t}")
t = an("genericsecret", 30); add("generic", t, f"client-secret: {t}")
t = an("privkeyfield", 30); add("generic", t, f"private_key={t}")
t = an("credfield", 30); add("generic", t, f"credentials: {t}")

with open(__import__("os").path.join(__import__("os").path.dirname(__file__), "corpus.txt"), "w") as f:
    f.write("# Redaction corpus: fake but realistic secret shapes (SPEC §11). Tab-separated:\n")
    f.write("# category<TAB>needle<TAB>text. In text, \\n is a newline and \\\\ a backslash.\n")
    f.write("# The needle must never survive redaction; nothing here is a real credential.\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
needles = [r[1] for r in rows]
assert len(set(needles)) == len(needles), [n for n in needles if needles.count(n) > 1]
print(len(rows), "rows,", len(set(r[0] for r in rows)), "categories")
