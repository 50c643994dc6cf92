#!/bin/sh
# Roll a service back to a known good version: steps 1 to 4 of the runbook
# docs/runbooks/roll-back-a-deploy.md, which declares this folder in 'documents'.
set -eu
service="${1:?usage: rollback.sh SERVICE VERSION}"
version="${2:?usage: rollback.sh SERVICE VERSION}"
deployctl history "$service" --limit 5
deployctl pause "$service" --reason "rollback during incident"
deployctl rollback "$service" --to "$version"
deployctl status "$service"
