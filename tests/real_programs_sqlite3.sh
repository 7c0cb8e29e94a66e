#!/bin/sh
# real_programs_sqlite3.sh -- sqlite3 runs under deadbyte as it runs alone;
# see tests/real_programs.inc.
. "${top_srcdir:-.}/tests/real_programs.inc"

# ---- sqlite3: tables, a transaction of 20000 rows, index, join ----------
sqlite3_workload() {
    cat >work.sql <<'EOF'
CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE sale (id INTEGER PRIMARY KEY, city INTEGER, item TEXT,
                   qty INTEGER, price REAL);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
INSERT INTO city SELECT i, 'city-' || printf('%02d', i) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
                        WHERE i < 20000)
INSERT INTO sale (city, item, qty, price)
SELECT i * 37 % 50 + 1, 'item-' || (i * 7919 % 211), i % 17 + 1,
       (i * 31 % 1000) / 10.0 FROM n;
COMMIT;
CREATE INDEX sale_city ON sale (city);
CREATE INDEX sale_item ON sale (item, qty);
SELECT count(*), sum(qty), round(sum(qty * price), 2) FROM sale;
SELECT c.name, count(*), sum(s.qty), round(avg(s.price), 3)
  FROM sale s JOIN city c ON c.id = s.city
 GROUP BY c.name ORDER BY sum(s.qty) DESC, c.name LIMIT 10;
SELECT item, count(DISTINCT city) FROM sale
 GROUP BY item HAVING count(*) >= 95 ORDER BY item LIMIT 10;
SELECT group_concat(name, ',') FROM (SELECT name FROM city
 WHERE id IN (SELECT city FROM sale WHERE qty = 17 AND price > 99.5)
 ORDER BY name DESC);
EOF
    run sqlite3 -batch -init /dev/null work.db <work.sql
}
check sqlite3 sqlite3_workload sqlite3
finish
