-- Every pair and every set of vectors/order.json through rsp_tag_compare, the rsp_tag
-- collation and rsp_tag_sort_key.
create table o as select readfile('@VECTORS@/order.json') as doc;
create table pairs as
  select value ->> '$.a' as a, value ->> '$.b' as b, value ->> '$.compare' as expected
  from o, json_each(o.doc, '$.pairs');
create table sets as
  select key as n, value -> '$.tags' as tags, value -> '$.desc' as desc from o, json_each(o.doc, '$.sets');

select 'all pairs read', count(*) = json_array_length((select doc from o), '$.pairs') and count(*) > 0 from pairs;
select 'every pair compares as the vector says', count(*) = 0 from pairs where rsp_tag_compare(a, b) is not expected;
select 'mismatch: ' || a || ' vs ' || b, 0 from pairs where rsp_tag_compare(a, b) is not expected;
select 'rsp_tag_compare is antisymmetric on the pairs', count(*) = 0 from pairs
  where rsp_tag_compare(b, a) is not -rsp_tag_compare(a, b);

select 'all sets read', count(*) = json_array_length((select doc from o), '$.sets') and count(*) > 0 from sets;
create table sorted as
  select n, (select json_group_array(value)
             from (select value from json_each(sets.tags) order by value collate rsp_tag desc)) as got,
         json(desc) as want
  from sets;
select 'every set sorts into the vector''s menu order', count(*) = 0 from sorted where got <> want;
select 'set ' || n || ' sorts as ' || got, 0 from sorted where got <> want;

-- rsp_tag_sort_key: BLOBs compare by their bytes, and those sort as the collation does.
create table sorted_by_key as
  select n, (select json_group_array(value)
             from (select value from json_each(sets.tags) order by rsp_tag_sort_key(value) desc)) as got,
         json(desc) as want
  from sets;
select 'every set sorts into menu order by rsp_tag_sort_key', count(*) = 0 from sorted_by_key where got <> want;
select 'set ' || n || ' sorts by key as ' || got, 0 from sorted_by_key where got <> want;
select 'the sort key orders every pair as the collation does', count(*) = 0 from pairs
  where (rsp_tag_sort_key(a) > rsp_tag_sort_key(b)) - (rsp_tag_sort_key(a) < rsp_tag_sort_key(b))
     is not (a > b collate rsp_tag) - (a < b collate rsp_tag);
select 'pair ' || a || ' vs ' || b || ': the key disagrees', 0 from pairs
  where (rsp_tag_sort_key(a) > rsp_tag_sort_key(b)) - (rsp_tag_sort_key(a) < rsp_tag_sort_key(b))
     is not (a > b collate rsp_tag) - (a < b collate rsp_tag);

-- In a schema, with trusted_schema off (the function is innocuous): an index on the expression
-- and a stored generated column give the collation's order.
pragma trusted_schema = off;
create table t(tag text, k blob generated always as (rsp_tag_sort_key(tag)) stored);
create index t_expr on t(rsp_tag_sort_key(tag));
create index t_k on t(k);
insert into t(tag) select distinct value from sets, json_each(sets.tags);
select 'the generated column holds the key', count(*) = 0 from t where k is not rsp_tag_sort_key(tag);
select 'ORDER BY the indexed expression is menu order',
  (select json_group_array(tag) from (select tag from t order by rsp_tag_sort_key(tag) desc))
  = (select json_group_array(tag) from (select tag from t order by tag collate rsp_tag desc));
select 'ORDER BY the indexed column is menu order',
  (select json_group_array(tag) from (select tag from t indexed by t_k order by k desc))
  = (select json_group_array(tag) from (select tag from t order by tag collate rsp_tag desc));
