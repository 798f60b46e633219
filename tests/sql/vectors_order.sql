-- Every pair and every set of vectors/order.json through rsp_tag_compare and the rsp_tag
-- collation.
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
