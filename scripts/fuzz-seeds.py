#!/usr/bin/env python3
"""Writes the libFuzzer seed corpora under fixtures/fuzz/<target>/ from the
repository's own examples (rules, pipelines, events, query tests) and from
small hand-built wire messages. Deterministic; rerun after changing a seed."""
import gzip, os, re, struct, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "fixtures", "fuzz")


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def tool(args, data):
    return subprocess.run(args, input=data, stdout=subprocess.PIPE, check=True).stdout


# --- CRC-32C (Castagnoli), for record batches
_t = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    _t.append(c)


def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c = _t[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def uvarint(n):
    o = bytearray()
    while True:
        if n < 0x80:
            o.append(n); return bytes(o)
        o.append((n & 0x7F) | 0x80); n >>= 7


def varint(n):
    return uvarint((n << 1) ^ (n >> 63) if n < 0 else n << 1)


def snappy_literal(data):
    """Raw snappy made of literal elements only (valid, if uncompressed)."""
    o = bytearray(uvarint(len(data)))
    for i in range(0, len(data), 60):
        chunk = data[i:i + 60]
        o.append((len(chunk) - 1) << 2)
        o += chunk
    return bytes(o)


def xerial(block):
    return b"\x82SNAPPY\x00" + struct.pack(">ii", 1, 1) + struct.pack(">i", len(block)) + block


def record_batch(records, codec=0, base=0):
    body = bytearray()
    for i, (k, v, headers) in enumerate(records):
        r = bytearray(b"\x00") + varint(i) + varint(i)
        r += varint(-1) if k is None else varint(len(k)) + k
        r += varint(-1) if v is None else varint(len(v)) + v
        r += varint(len(headers))
        for hk, hv in headers:
            r += varint(len(hk)) + hk + varint(len(hv)) + hv
        body += varint(len(r)) + r
    body = bytes(body)
    if codec == 1: body = gzip.compress(body, mtime=0)
    elif codec == 2: body = xerial(snappy_literal(body))
    elif codec == 3: body = tool(["lz4", "-c", "-q", "--no-frame-crc"], body)
    elif codec == 4: body = tool(["zstd", "-c", "-q"], body)
    after_crc = struct.pack(">hiqqqhii", codec, len(records) - 1, 1_795_179_909_000, 1_795_179_909_000 + len(records), -1, -1, -1, len(records)) + body
    head = struct.pack(">qiib", base, 4 + 1 + 4 + len(after_crc), 0, 2)
    return head + struct.pack(">I", crc32c(after_crc)) + after_crc


# --- JSON field scanner, and the archive masker (maskScanned against the
# walker): real event lines, then hand-made ones for each
events = open(os.path.join(root, "fixtures/pipelines/ecs/events.ndjson"), "rb").read().splitlines()
hand = {
    "FuzzFieldScanner": [
        rb'{"@timestamp":"2026-11-20T13:30:00.250Z","event":{"outcome":"failure"},"user":{"name":"al\"ice \u00e9 \ud83d\ude00"},"source":{"ip":"10.1.2.3","port":2222},"tags":["ssh",["x",{"a":1}],null]}',
        rb'{"@timestamp":1795179909123,"a":{"b":{"c":-1.5e+300}},"a.b":true,"x":{"y":false,"z":null}}',
        rb'{"Event":{"UserData":{"EventXML":{"User":"CORP\\alice","Address":"::%16777216"}}},"event.created":"2026-11-20T14:00:00+01:00"}',
        rb'{"process":{"command_line":"cmd.exe /c \"whoami\" \t\/"},"a":[[[[[[1]]]]]],"source.port":"22"}',
    ],
    # masked-field shapes: nested, flat, repeated, in arrays, escaped keys, whitespace
    "FuzzArchiveMask": [
        rb'{"@timestamp":"2026-11-20T13:30:00.250Z","user":{"name":"alice"},"source":{"ip":"10.1.2.3"},"destination.ip":"10.9.8.7","message":"alice from 10.1.2.3"}',
        rb'{"user.name":"bob","user":{"name":"carol"},"source.ip":"2001:db8::1","a":{"b":"x","b.c":"y"},"secret":"s"}',
        rb'{"user":[{"name":"dave"}],"source":{"ip":null},"a":{"b":{"c":"z"}},"message":"Bearer abc.def 4111 1111 1111 1111"}',
        rb'{"us\u0065r":{"name":"eve"},"source.ip":"010.1.2.3","destination":{"ip":["1.2.3.4"]},"a.b":7}',
        rb'{ "user" : { "name" : "frank" } , "message" : "frank@example.com" }',
    ],
}
for target, lines in hand.items():
    for i, line in enumerate(events[:8]):
        put(target, f"ecs-{i}.json", line)
    for i, line in enumerate(lines):
        put(target, f"hand-{i}.json", line)

# --- Sigma rules and pipelines
for d in ["rules", "fixtures/rules/ecs", "fixtures/pipelines/ecs/rules"]:
    p = os.path.join(root, d)
    for name in sorted(os.listdir(p)):
        if name.endswith(".yml"):
            put("FuzzSigmaRules", f"{d.replace('/', '_')}-{name}", open(os.path.join(p, name), "rb").read())
for name in ["cloudtrail.yml", "linux.yml", "windows-audit.yml", "zeek.yml"]:
    for d in ["pipelines"]:
        p = os.path.join(root, d, name)
        if os.path.exists(p):
            put("FuzzSigmaRules", f"pipeline-{name}", open(p, "rb").read())

# --- Query language: every expression the language tests use
src = open(os.path.join(root, "Tests/SecStreamCoreTests/QueryLanguageTests.swift")).read()
queries = re.findall(r'assert(?:True|False|Error)\(#"(.*?)"#', src) + re.findall(r'assert(?:True|False|Error)\("((?:[^"\\]|\\.)*)"', src)
for i, q in enumerate(sorted(set(queries))):
    put("FuzzQuery", f"q{i:03}.txt", q)

# --- Kafka record batches, one per codec, and two batches back to back
recs = [(None, b'{"@timestamp":"2026-11-20T13:30:00Z","user":{"name":"bob"}}', []),
        (b"k1", b"v" * 40, [(b"h", b"1"), (b"trace", b"")]),
        (b"", None, [])]
for codec, name in enumerate(["none", "gzip", "snappy", "lz4", "zstd"]):
    put("FuzzKafkaRecordBatch", f"batch-{name}.bin", record_batch(recs, codec))
put("FuzzKafkaRecordBatch", "two-batches.bin", record_batch(recs[:1]) + record_batch(recs[1:], base=1))
put("FuzzKafkaRecordBatch", "partial-trailing.bin", record_batch(recs) + record_batch(recs)[:30])

# --- Kafka responses: byte 0 = decoder index, byte 1 = version index (see FuzzKafkaResponses)
def s16(s): return struct.pack(">h", len(s)) + s
def cs(s): return uvarint(len(s) + 1) + s
put("FuzzKafkaResponses", "apiversions-v0.bin", bytes([0, 0]) + struct.pack(">hi", 0, 2) + struct.pack(">hhh", 0, 3, 9) + struct.pack(">hhh", 1, 4, 12))
put("FuzzKafkaResponses", "apiversions-v3.bin", bytes([0, 3]) + struct.pack(">h", 0) + uvarint(3) + struct.pack(">hhh", 0, 3, 9) + b"\x00" + struct.pack(">hhh", 18, 0, 3) + b"\x00" + struct.pack(">i", 0) + b"\x00")
md = b"\x00" + struct.pack(">i", 0) + uvarint(2) + struct.pack(">i", 111) + cs(b"127.0.0.1") + struct.pack(">i", 9092) + b"\x00\x00"
md += cs(b"c") + struct.pack(">i", 111) + uvarint(2) + struct.pack(">h", 0) + cs(b"t") + b"\x00" + uvarint(2) + struct.pack(">hiii", 0, 0, 111, 0)
md += (uvarint(2) + struct.pack(">i", 111)) * 3 + b"\x00" + struct.pack(">i", 0) + b"\x00" + struct.pack(">i", 0) + b"\x00"
put("FuzzKafkaResponses", "metadata-v9.bin", bytes([1, 8]) + md)
put("FuzzKafkaResponses", "findcoordinator-v1.bin", bytes([5, 1]) + struct.pack(">ihh", 0, 0, -1) + struct.pack(">i", 7) + s16(b"localhost") + struct.pack(">i", 9092))
put("FuzzKafkaResponses", "heartbeat-v1.bin", bytes([8, 1]) + struct.pack(">ih", 0, 27))
put("FuzzKafkaResponses", "initproducerid-v0.bin", bytes([12, 0]) + struct.pack(">ihqh", 0, 0, 4000, 0))
put("FuzzKafkaResponses", "subscription.bin", bytes([16, 0]) + struct.pack(">hi", 1, 2) + s16(b"a") + s16(b"b") + struct.pack(">i", -1) + struct.pack(">ii", 1, 1) + s16(b"a") + struct.pack(">ii", 1, 1))
put("FuzzKafkaResponses", "assignment.bin", bytes([17, 0]) + struct.pack(">hi", 1, 1) + s16(b"a") + struct.pack(">iii", 2, 0, 1) + struct.pack(">i", -1))
put("FuzzKafkaResponses", "scram-server-first.bin", bytes([18, 0]) + b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
put("FuzzKafkaResponses", "scram-server-final.bin", bytes([18, 1]) + b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
# A Fetch v11 response (key 4 = index 3; versions 4...12, v11 = index 7) with one partition's records.
batch = record_batch(recs)
fetch = struct.pack(">ihi", 0, 0, 0) + struct.pack(">i", 1) + s16(b"t") + struct.pack(">i", 1)
fetch += struct.pack(">ihqqq", 0, 0, 10, 10, 0) + struct.pack(">i", 0) + struct.pack(">i", -1) + struct.pack(">i", len(batch)) + batch
put("FuzzKafkaResponses", "fetch-v11.bin", bytes([3, 7]) + fetch)

# --- S3 response bodies and times
put("FuzzS3XML", "list.xml", """<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>archive/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><Contents><Key>archive/2026/11/20/13/part-0001.ndjson.zst</Key><LastModified>2026-11-20T13:05:09.123Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>archive/a&amp;b&#233;&#x1F600;</Key><Size>0</Size></Contents><CommonPrefixes><Prefix>archive/2026/</Prefix></CommonPrefixes></ListBucketResult>""")
put("FuzzS3XML", "error.xml", """<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied &amp; logged &lt;here&gt; &#233;</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>abc</HostId></Error>""")
put("FuzzS3XML", "multipart.xml", "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>")
put("FuzzS3XML", "iso8601.txt", "2026-11-20T13:05:09.123Z")
put("FuzzS3XML", "httpdate.txt", "Fri, 20 Nov 2026 13:05:09 GMT")

# --- Codecs: byte 0 = codec (0 gzip, 1 lz4, 2 zstd, 3 snappy), then the compressed bytes
text = b"\n".join(events[:20]) + b"\n"
put("FuzzCodecs", "gzip.bin", b"\x00" + gzip.compress(text, mtime=0))
put("FuzzCodecs", "gzip-two-members.bin", b"\x00" + gzip.compress(b"a\n", mtime=0) + gzip.compress(b"b\n", mtime=0))
put("FuzzCodecs", "lz4.bin", b"\x01" + tool(["lz4", "-c", "-q"], text))
put("FuzzCodecs", "lz4-small-blocks.bin", b"\x01" + tool(["lz4", "-c", "-q", "-B4", "--content-size"], text * 4))
put("FuzzCodecs", "zstd.bin", b"\x02" + tool(["zstd", "-c", "-q"], text))
put("FuzzCodecs", "zstd-checksum.bin", b"\x02" + tool(["zstd", "-c", "-q", "--check", "-19"], text[:500]))
put("FuzzCodecs", "snappy-raw.bin", b"\x03" + snappy_literal(text[:300]))
put("FuzzCodecs", "snappy-xerial.bin", b"\x03" + xerial(snappy_literal(text[:100])) [:])
print("seeds written to", out)
