{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "328116d43d1705e4ffb57d52ed64598a4c4d8ff3a47d9da8260042cd33230e77"
    },
    "tlogEntries": []
  },
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJuYW1lIjoibTIiLCJkaWdlc3QiOnsic2hhMjU2IjoiZjM2ZjJhYWY2NjE3OTQwZjE5ZDRmOTUwOTJiYWU3NGNiMjAxYWYzMjE2YTlkZjVlNzdjNzRkMzVmYWJhZjM2OSJ9fV0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLCJwcmVkaWNhdGUiOnsicmVzb3VyY2VzIjpbeyJuYW1lIjoiYmlnLmJpbiIsImRpZ2VzdCI6ImRmMjlkMGJjZGVmYjA0MWI2ZjJlYzg0NjA0ODM5YTNkZjk0ZWY1OGZiMjhlZmZjMWJiM2U0N2Y0MDJlNGVlNWMiLCJhbGdvcml0aG0iOiJzaGEyNTYifSx7Im5hbWUiOiJzdWIvYS50eHQiLCJkaWdlc3QiOiI5OGVhNmU0ZjIxNmYyZmI0YjY5ZmZmOWIzYTQ0ODQyYzM4Njg2Y2E2ODVmM2Y1NWRjNDhjNWQzZmIxMTA3YmU0IiwiYWxnb3JpdGhtIjoic2hhMjU2In1dLCJzZXJpYWxpemF0aW9uIjp7Im1ldGhvZCI6ImZpbGVzIiwiaGFzaF90eXBlIjoic2hhMjU2IiwiYWxsb3dfc3ltbGlua3MiOmZhbHNlLCJpZ25vcmVfcGF0aHMiOlsiLmdpdCIsIi5naXRhdHRyaWJ1dGVzIiwiLmdpdGh1YiIsIi5naXRpZ25vcmUiLCJtb2RlbC5zaWciXX19fQ==",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEUCIA5EAP5w8Y0bJPpSLSCVnEKvmNQ+0OAf9zU385odPSYmAiEA7HdFsPk8UQa9fBo8gyTWS4KSkMWnmkec9GVnbb30Mdw=",
        "keyid": ""
      }
    ]
  }
}
