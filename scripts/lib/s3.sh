# shellcheck shell=bash
# Helpers for the S3 server scripts (scripts/seaweedfs-up, scripts/juicefs-up,
# scripts/s3-smoke). Source after common.sh.

# Region every test S3 server is configured for (and the tests sign for).
# shellcheck disable=SC2034  # used by the scripts that source this file
S3_TEST_REGION=us-east-1

# curl_has_sigv4: true when curl can sign requests with AWS SigV4 (curl 7.75+).
curl_has_sigv4() {
  curl --help all 2>/dev/null | grep -q -- '--aws-sigv4'
}

# s3_ready URL ACCESS_KEY SECRET_KEY: true when the S3 API at URL serves requests.
# With a SigV4-capable curl that is a signed ListBuckets answering 200, which also
# proves the credentials are loaded; otherwise an anonymous ListBuckets answering
# 403 with an S3 <Error> document.
s3_ready() {
  local url="$1" key="$2" secret="$3" out code
  if curl_has_sigv4; then
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --noproxy '*' \
      --aws-sigv4 "aws:amz:${S3_TEST_REGION}:s3" --user "${key}:${secret}" "${url}/" 2>/dev/null || true)"
    [ "$code" = 200 ]
  else
    out="$(curl -s -w '\n%{http_code}' --max-time 3 --noproxy '*' "${url}/" 2>/dev/null || true)"
    [ "${out##*$'\n'}" = 403 ] && case "$out" in *'<Error>'*) true ;; *) false ;; esac
  fi
}
