#!/bin/sh
# docker-compose's Temporal setup, run in Temporal's admin-tools image. Each
# step is safe to run again: it makes only what is missing.
#
#   setup.sh schema     the two databases and their schema: create, set up,
#                       update to the server's version (before the server)
#   setup.sh namespace  the namespace, once, and tingting's search attributes
#                       (SEARCH_ATTRIBUTES: Name=Type ..., the list in
#                       workflows/contract, checked by compose_test.go)
#
# temporal-sql-tool reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and
# SQL_PASSWORD; the temporal CLI reads TEMPORAL_ADDRESS.
set -eu

# retry runs a command until it succeeds, for about a minute.
retry() {
	n=0
	until "$@"; do
		n=$((n + 1))
		[ "$n" -lt 30 ] || { echo "gave up: $*" >&2; return 1; }
		sleep 2
	done
}

case "${1:-}" in
schema)
	for db in temporal temporal_visibility; do
		schema=temporal
		[ "$db" = temporal_visibility ] && schema=visibility
		retry temporal-sql-tool --db "$db" create
		temporal-sql-tool --db "$db" setup-schema -v 0.0
		temporal-sql-tool --db "$db" update-schema --schema-name "postgresql/v12/$schema"
	done
	;;
namespace)
	retry temporal operator cluster health
	if ! temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
		retry temporal operator namespace create --namespace "$NAMESPACE" --retention 24h
	fi
	for attribute in $SEARCH_ATTRIBUTES; do
		name=${attribute%%=*}
		if ! temporal operator search-attribute list --namespace "$NAMESPACE" | grep -qw "$name"; then
			retry temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "${attribute#*=}"
		fi
	done
	;;
*)
	echo "usage: setup.sh schema|namespace" >&2
	exit 2
	;;
esac
