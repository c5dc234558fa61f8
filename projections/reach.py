"""Before a command opens a PostgreSQL store: one plain connection, so a missing database or role,
a refused connection or a wrong password is reported with the server's own words within seconds,
rather than as a connection pool's timeout."""

from __future__ import annotations

from domain.schema import StoreUnavailable

CONNECT_TIMEOUT = 4  # seconds: the whole answer stays within five


def check_reachable(env: dict[str, str], shown: str) -> None:
    """Raise StoreUnavailable with the server's reason when `env` (a PostgreSQL store's) cannot connect."""
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        return
    import psycopg  # only PostgreSQL stores need it

    try:
        connection = psycopg.connect(
            host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]), dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"], password=env.get("POSTGRES_PASSWORD") or None,
            connect_timeout=CONNECT_TIMEOUT,
        )
    except psycopg.Error as error:
        reason = " ".join(str(error).split()).removeprefix("connection failed: ")
        raise StoreUnavailable(f"cannot use the store {shown}: {reason}") from None
    connection.close()
