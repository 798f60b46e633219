-- Every line of vectors/tags.jsonl through the extension: the grammar parse (rsp_parse_tag and
-- each accessor) and the alias parse (rsp_alias_tag). JSON is compared as values: the sets of
-- (path, type, value) of both documents must be equal.
create table v(line text);
.mode ascii
.separator "\037" "\n"
.import @VECTORS@/tags.jsonl v
.mode list
.separator "|" "\n"

create table t as
  select line ->> '$.tag' as tag, line -> '$.parse' as parse, line -> '$.alias' as alias,
         rsp_parse_tag(line ->> '$.tag') as got_parse, rsp_alias_tag(line ->> '$.tag') as got_alias
  from v;

create view json_differs(tag, which) as
  select tag, 'parse' from t where exists (
      select fullkey, type, atom from json_tree(parse) except select fullkey, type, atom from json_tree(got_parse))
    or exists (
      select fullkey, type, atom from json_tree(got_parse) except select fullkey, type, atom from json_tree(parse))
  union all
  select tag, 'alias' from t where exists (
      select fullkey, type, atom from json_tree(alias) except select fullkey, type, atom from json_tree(got_alias))
    or exists (
      select fullkey, type, atom from json_tree(got_alias) except select fullkey, type, atom from json_tree(alias));

select 'every line imported', count(*) = (
  select length(readfile('@VECTORS@/tags.jsonl'))
         - length(replace(readfile('@VECTORS@/tags.jsonl'), char(10), ''))) from t;
select 'parse and alias JSON match for every line', count(*) = 0 from json_differs;
-- Name each mismatch, so that a failure says which tag.
select 'mismatch: ' || which || ' ' || tag, 0 from json_differs;

-- The accessors read the grammar parse, field by field.
select 'rsp_tag_type matches', count(*) = 0 from t where rsp_tag_type(tag) is not parse ->> '$.image_type';
select 'rsp_tag_display_name matches', count(*) = 0 from t
  where rsp_tag_display_name(tag) is not parse ->> '$.display_name';
select 'rsp_tag_base matches', count(*) = 0 from t where rsp_tag_base(tag) is not parse ->> '$.base';
select 'rsp_tag_cycle matches', count(*) = 0 from t where rsp_tag_cycle(tag) is not parse ->> '$.cycle';
select 'rsp_tag_cycle_build matches', count(*) = 0 from t
  where rsp_tag_cycle_build(tag) is not parse ->> '$.cycle_build';
select 'rsp_tag_rsp_build matches', count(*) = 0 from t where rsp_tag_rsp_build(tag) is not parse ->> '$.rsp_build';
select 'rsp_tag_architecture matches', count(*) = 0 from t
  where rsp_tag_architecture(tag) is not parse ->> '$.architecture';
select 'rsp_tag_extra matches', count(*) = 0 from t where rsp_tag_extra(tag) is not parse ->> '$.extra';
select 'rsp_tag_date matches', count(*) = 0 from t where rsp_tag_date(tag) is not parse ->> '$.date';
select 'rsp_tag_version matches', count(*) = 0 from t
  where rsp_tag_version(tag) is not (
    select v ->> '$.major' || '.' || (v ->> '$.minor') || '.' || (v ->> '$.patch')
           || coalesce('-' || (v ->> '$.prerelease'), '')
    from (select parse -> '$.version' as v) where v ->> '$' is not null);
select 'integers come back as integers', count(*) = 0 from t
  where rsp_tag_cycle(tag) is not null and typeof(rsp_tag_cycle(tag)) <> 'integer';
