{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "328116d43d1705e4ffb57d52ed64598a4c4d8ff3a47d9da8260042cd33230e77"
    },
    "tlogEntries": []
  },
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJuYW1lIjoibTIiLCJkaWdlc3QiOnsic2hhMjU2IjoiZmQxMWMzNTFmZjEwOWZhYTEwMTk3NmY1NmE5ZmRmNTFlYjVhYWU1MDg2MWM4N2YzZmY5MzY1ZDMxOGNhOWI1MyJ9fV0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLCJwcmVkaWNhdGUiOnsicmVzb3VyY2VzIjpbeyJuYW1lIjoiYmlnLmJpbjowOjEwMDAwMDAiLCJkaWdlc3QiOiI5ZmY0NTcwZWVkM2U0Y2E4NWMyODNjYzM4Yzg5ZjlkMjkzMjFhNmU5OGI1MWViYWQwMWI5MTUzOTNjODgwZDFkIiwiYWxnb3JpdGhtIjoic2hhMjU2In0seyJuYW1lIjoiYmlnLmJpbjoxMDAwMDAwOjIwMDAwMDAiLCJkaWdlc3QiOiIzMmM2MDkwOWUxODViNWMyNGIzMDU5OGJiZGY0YmRhYmIyMmQ5OTFjNDFjNmE3MGVmZmZmNzY5MDY1MzQ2YzRiIiwiYWxnb3JpdGhtIjoic2hhMjU2In0seyJuYW1lIjoiYmlnLmJpbjoyMDAwMDAwOjMwMDAwMDAiLCJkaWdlc3QiOiJmMzA1MDE0NWUzZGNkMmVjZThiODdmNjI1M2FiM2UyMTBmODQ5YzM0MGExMTI5NzU1NWRlYzMzYjQ5Zjk3ZjQ5IiwiYWxnb3JpdGhtIjoic2hhMjU2In0seyJuYW1lIjoic3ViL2EudHh0OjA6MyIsImRpZ2VzdCI6Ijk4ZWE2ZTRmMjE2ZjJmYjRiNjlmZmY5YjNhNDQ4NDJjMzg2ODZjYTY4NWYzZjU1ZGM0OGM1ZDNmYjExMDdiZTQiLCJhbGdvcml0aG0iOiJzaGEyNTYifV0sInNlcmlhbGl6YXRpb24iOnsibWV0aG9kIjoic2hhcmRzIiwiaGFzaF90eXBlIjoic2hhMjU2Iiwic2hhcmRfc2l6ZSI6MTAwMDAwMCwiYWxsb3dfc3ltbGlua3MiOmZhbHNlLCJpZ25vcmVfcGF0aHMiOlsiLmdpdCIsIi5naXRhdHRyaWJ1dGVzIiwiLmdpdGh1YiIsIi5naXRpZ25vcmUiXX19fQ==",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEQCID1PtKmWZi91Z+K7L3CdZXN5UtgDC7lkd3VVxiyqEvPOAiBkTspuBQOzvtWZFwkCl/uRBPaSRC5SgpsdLRUSdqjV/g==",
        "keyid": ""
      }
    ]
  }
}
