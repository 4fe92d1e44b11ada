#!/usr/bin/env python3
# Benign-looking Windows evtx JSON events (Sysmon 1/3/7/11/13, Security) for the
# rule-prefilter benchmark: python3 bench/gen-windows-events.py 400000 > events.ndjson
# then: secstream process --no-default-rules --rules DIR --pipeline bench/pipelines/windows-sysmon-bench.yml
#   --time-field Event.System.TimeCreated.#attributes.SystemTime --input events.ndjson --threads 1
import json, random, sys
random.seed(7)
n = int(sys.argv[1])
images = [r"C:\Windows\System32\svchost.exe", r"C:\Windows\System32\conhost.exe", r"C:\Program Files\Google\Chrome\Application\chrome.exe",
  r"C:\Windows\explorer.exe", r"C:\Windows\System32\RuntimeBroker.exe", r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
  r"C:\Windows\System32\backgroundTaskHost.exe", r"C:\Users\alice\AppData\Local\Microsoft\Teams\current\Teams.exe",
  r"C:\Windows\System32\SearchProtocolHost.exe", r"C:\Windows\System32\taskhostw.exe", r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
  r"C:\Windows\System32\cmd.exe", r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe", r"C:\Windows\System32\wbem\WmiPrvSE.exe"]
args = ["", " -k netsvcs -p -s Schedule", " --type=renderer --field-trial-handle=1234,i,5678 /prefetch:1", " /c echo hello",
  " -NoProfile -ExecutionPolicy Bypass -File C:\\scripts\\backup.ps1", " 0xffffffff -ForceV1", " -Embedding", " /n /f C:\\Users\\bob\\Documents\\report.docx"]
users = [r"NT AUTHORITY\SYSTEM", r"CORP\alice", r"CORP\bob", r"NT AUTHORITY\LOCAL SERVICE"]
dlls = [r"C:\Windows\System32\kernel32.dll", r"C:\Windows\System32\ntdll.dll", r"C:\Windows\System32\combase.dll", r"C:\Windows\System32\clr.dll"]
def ts(i): return "2026-01-01T%02d:%02d:%02d.%06dZ" % ((i//3600000)%24, (i//60000)%60, (i//1000)%60, (i%1000)*1000)
out = sys.stdout
for i in range(n):
    r = random.random()
    img = random.choice(images)
    if r < 0.55:
        ch, eid = "Microsoft-Windows-Sysmon/Operational", 1
        data = {"Image": img, "CommandLine": '"%s"%s' % (img, random.choice(args)), "ParentImage": random.choice(images),
                "ParentCommandLine": random.choice(images), "User": random.choice(users), "IntegrityLevel": "Medium",
                "OriginalFileName": img.rsplit("\\",1)[1], "CurrentDirectory": "C:\\Windows\\system32\\", "ProcessId": str(random.randint(100,9999))}
    elif r < 0.7:
        ch, eid = "Microsoft-Windows-Sysmon/Operational", 7
        data = {"Image": img, "ImageLoaded": random.choice(dlls), "Signed": "true", "Signature": "Microsoft Windows"}
    elif r < 0.8:
        ch, eid = "Microsoft-Windows-Sysmon/Operational", 3
        data = {"Image": img, "DestinationIp": "10.0.%d.%d" % (random.randint(0,255), random.randint(1,254)), "DestinationPort": str(random.choice([443,80,445,53])), "Initiated": "true", "User": random.choice(users)}
    elif r < 0.88:
        ch, eid = "Microsoft-Windows-Sysmon/Operational", 11
        data = {"Image": img, "TargetFilename": "C:\\Users\\alice\\AppData\\Local\\Temp\\tmp%04x.tmp" % random.randint(0,65535)}
    elif r < 0.94:
        ch, eid = "Microsoft-Windows-Sysmon/Operational", 13
        data = {"Image": img, "TargetObject": "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Key%d" % random.randint(0,99), "Details": "DWORD (0x00000001)", "EventType": "SetValue"}
    else:
        ch, eid = "Security", random.choice([4624, 4688, 4672])
        data = {"SubjectUserName": "alice", "TargetUserName": random.choice(["bob", "alice", "SYSTEM"]), "LogonType": str(random.choice([2,3,5])), "NewProcessName": img, "IpAddress": "10.0.0.5"}
    ev = {"Event": {"System": {"Channel": ch, "EventID": eid, "Computer": "ws-%02d.corp.local" % random.randint(1,40),
          "TimeCreated": {"#attributes": {"SystemTime": ts(i)}}}, "EventData": data}}
    out.write(json.dumps(ev, separators=(",", ":")) + "\n")
