-- nublado's own rspimagetag fixtures: each file's JSON equals rsp_parse_tag of its tag.
create table f as
  select name, data as expected, rsp_parse_tag(json_extract(data, '$.tag')) as got
  from fsdir('@VECTORS@/nublado/controller/rspimagetag') where name like '%.json';
select 'fixtures found', count(*) >= 14 from f;
select 'fixture ' || name || ' matches', not exists (
    select fullkey, type, atom from json_tree(expected) except select fullkey, type, atom from json_tree(got))
  and not exists (
    select fullkey, type, atom from json_tree(got) except select fullkey, type, atom from json_tree(expected))
from f;
