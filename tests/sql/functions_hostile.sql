-- Every rsp_ function with hostile input: NULL, BLOB, integer, real, empty string, invalid UTF-8,
-- embedded NUL, a 1 MB string and 100,000 nested exp_ prefixes. Expected values come from the
-- grammar of docs/model.md, worked out by hand.
create table input(label text primary key, value);
insert into input values
  ('integer', 170),
  ('real', 1.5),
  ('empty', ''),
  ('invalid utf-8', cast(x'775f323032315f32325fff2d616d643634' as text)),  -- w_2021_22_\xff-amd64
  ('embedded nul', 'w_2021_22_a' || char(0) || 'b-amd64'),
  ('1 MB', 'w_2021_22_' || replace(hex(zeroblob(500000)), '0', 'x')),
  ('nested exp_', replace(hex(zeroblob(100000)), '00', 'exp_') || 'r22_0_0_rc1_c0020.001_rsp19-arm64');

-- NULL in, NULL out: every function of a tag.
select 'rsp_parse_tag(NULL)', rsp_parse_tag(NULL) is null;
select 'rsp_alias_tag(NULL)', rsp_alias_tag(NULL) is null;
select 'rsp_tag_type(NULL)', rsp_tag_type(NULL) is null;
select 'rsp_tag_display_name(NULL)', rsp_tag_display_name(NULL) is null;
select 'rsp_tag_version(NULL)', rsp_tag_version(NULL) is null;
select 'rsp_tag_date(NULL)', rsp_tag_date(NULL) is null;
select 'rsp_tag_cycle(NULL)', rsp_tag_cycle(NULL) is null;
select 'rsp_tag_cycle_build(NULL)', rsp_tag_cycle_build(NULL) is null;
select 'rsp_tag_rsp_build(NULL)', rsp_tag_rsp_build(NULL) is null;
select 'rsp_tag_architecture(NULL)', rsp_tag_architecture(NULL) is null;
select 'rsp_tag_extra(NULL)', rsp_tag_extra(NULL) is null;
select 'rsp_tag_base(NULL)', rsp_tag_base(NULL) is null;
select 'rsp_tag_sort_key(NULL)', rsp_tag_sort_key(NULL) is null;
select 'rsp_tag_compare(NULL, x)', rsp_tag_compare(NULL, 'r21_0_1') is null;
select 'rsp_tag_compare(x, NULL)', rsp_tag_compare('r21_0_1', NULL) is null;
select 'rsp_semver_compare(NULL, x)', rsp_semver_compare(NULL, '1.0.0') is null;
select 'rsp_semver_compare(x, NULL)', rsp_semver_compare('1.0.0', NULL) is null;

-- A BLOB is an error that names the function.
select rsp_parse_tag(x'72'); -- error: rsp_parse_tag: a BLOB is not a tag
select rsp_alias_tag(x'72'); -- error: rsp_alias_tag: a BLOB is not a tag
select rsp_tag_type(x'72'); -- error: rsp_tag_type: a BLOB is not a tag
select rsp_tag_display_name(x'72'); -- error: rsp_tag_display_name: a BLOB is not a tag
select rsp_tag_version(x'72'); -- error: rsp_tag_version: a BLOB is not a tag
select rsp_tag_date(x'72'); -- error: rsp_tag_date: a BLOB is not a tag
select rsp_tag_cycle(x'72'); -- error: rsp_tag_cycle: a BLOB is not a tag
select rsp_tag_cycle_build(x'72'); -- error: rsp_tag_cycle_build: a BLOB is not a tag
select rsp_tag_rsp_build(x'72'); -- error: rsp_tag_rsp_build: a BLOB is not a tag
select rsp_tag_architecture(x'72'); -- error: rsp_tag_architecture: a BLOB is not a tag
select rsp_tag_extra(x'72'); -- error: rsp_tag_extra: a BLOB is not a tag
select rsp_tag_base(x'72'); -- error: rsp_tag_base: a BLOB is not a tag
select rsp_tag_sort_key(x'72'); -- error: rsp_tag_sort_key: a BLOB is not a tag
select rsp_tag_compare(x'72', 'r'); -- error: rsp_tag_compare: a BLOB is not a tag
select rsp_tag_compare('r', x'72'); -- error: rsp_tag_compare: a BLOB is not a tag
select rsp_semver_compare(x'31', '1.0.0'); -- error: rsp_semver_compare: a BLOB
select rsp_semver_compare('1.0.0', '1.0'); -- error: rsp_semver_compare: '1.0' is not a semantic version
select rsp_semver_compare('', '1.0.0'); -- error: rsp_semver_compare: '' is not a semantic version
-- Found by fuzz_sql: a NUL in the value cut the message short (SQLite reads it as a C string).
select rsp_semver_compare('r36' || char(12, 0) || 'x', '1.0.0'); -- error: rsp_semver_compare: 'r36??x' is not a semantic version
select rsp_semver_compare(cast(x'31ff2e' as text), '1.0.0'); -- error: rsp_semver_compare: '1?.' is not a semantic version

-- Numbers are read as their text.
select 'integer 170 is the text 170', rsp_parse_tag(170) = rsp_parse_tag('170');
select 'integer 170 is Unknown (old style needs the r)', rsp_tag_type(170) = 'Unknown';
select 'integer base', rsp_tag_base(170) = '170';
select 'integer sort key', rsp_tag_sort_key(170) = rsp_tag_sort_key('170');
select 'real 1.5 is the text 1.5', rsp_tag_display_name(1.5) = '1.5';
select 'real in rsp_tag_compare', rsp_tag_compare(1.5, '1.5') = 0;
select 'integer in rsp_alias_tag', rsp_alias_tag(7) ->> '$.display_name' = '7';
select 'integer in rsp_semver_compare is not a version', 1;
select rsp_semver_compare(1, '1.0.0'); -- error: rsp_semver_compare: '1' is not a semantic version

-- The empty tag is `latest` for the grammar, itself for the alias parse.
select 'empty: type', rsp_tag_type('') = 'Unknown';
select 'empty: display name', rsp_tag_display_name('') = 'latest';
select 'empty: base', rsp_tag_base('') = 'latest';
select 'empty: JSON tag', rsp_parse_tag('') ->> '$.tag' = 'latest';
select 'empty: alias tag', rsp_alias_tag('') ->> '$.tag' = '';
select 'empty: alias display name', rsp_alias_tag('') ->> '$.display_name' = '';
select 'empty: version, date, cycle are NULL',
  rsp_tag_version('') is null and rsp_tag_date('') is null and rsp_tag_cycle('') is null;
select 'empty vs latest compare equal', rsp_tag_compare('', 'latest') = 0;
select 'empty and latest still differ in the collation', '' collate rsp_tag < 'latest';
select 'empty and latest differ in the sort key too', rsp_tag_sort_key('') < rsp_tag_sort_key('latest');

-- Invalid UTF-8 is bytes: the grammar still applies, and JSON stays valid.
select 'invalid utf-8: weekly', rsp_tag_type(value) = 'Weekly' from input where label = 'invalid utf-8';
select 'invalid utf-8: architecture', rsp_tag_architecture(value) = 'amd64' from input where label = 'invalid utf-8';
select 'invalid utf-8: extra keeps the byte', cast(rsp_tag_extra(value) as blob) = x'ff'
  from input where label = 'invalid utf-8';
select 'invalid utf-8: JSON is valid', json_valid(rsp_parse_tag(value)) and json_valid(rsp_alias_tag(value))
  from input where label = 'invalid utf-8';
select 'invalid utf-8: JSON writes U+FFFD', rsp_parse_tag(value) ->> '$.extra' = char(65533)
  from input where label = 'invalid utf-8';

-- An embedded NUL is just another byte.
select 'embedded NUL: weekly', rsp_tag_type(value) = 'Weekly' from input where label = 'embedded nul';
select 'embedded NUL: extra keeps all bytes', cast(rsp_tag_extra(value) as blob) = x'610062'
  from input where label = 'embedded nul';
select 'embedded NUL: architecture after it', rsp_tag_architecture(value) = 'amd64' from input where label = 'embedded nul';
select 'embedded NUL: JSON escapes it', instr(rsp_parse_tag(value), '\u0000') > 0 and json_valid(rsp_parse_tag(value))
  from input where label = 'embedded nul';
select 'embedded NUL: unknown base keeps all bytes',
  cast(rsp_tag_base('latest' || char(0) || 'x-amd64') as blob) = x'6c61746573740078';
select 'embedded NUL: sort key as the collation',
  (rsp_tag_sort_key(value) < rsp_tag_sort_key('w_2021_22_a-amd64')) = (value < 'w_2021_22_a-amd64' collate rsp_tag)
  and (rsp_tag_sort_key(value) < rsp_tag_sort_key('w_2021_22_a' || char(1) || '-amd64'))
      = (value < 'w_2021_22_a' || char(1) || '-amd64' collate rsp_tag)
  from input where label = 'embedded nul';

-- A 1 MB tag.
select '1 MB: weekly with a 1 MB extra', rsp_tag_type(value) = 'Weekly' and length(rsp_tag_extra(value)) = 1000000
  from input where label = '1 MB';
select '1 MB: JSON', json_valid(rsp_parse_tag(value)) and length(rsp_alias_tag(value) ->> '$.display_name') = 1000010
  from input where label = '1 MB';
select '1 MB: compares with itself', rsp_tag_compare(value, value) = 0 from input where label = '1 MB';
select '1 MB: sort key', length(rsp_tag_sort_key(value)) > 1000000
  and rsp_tag_sort_key(value) > rsp_tag_sort_key('w_2021_22_x') from input where label = '1 MB';

-- 100,000 nested exp_ prefixes: no recursion, the innermost tag's fields.
select 'nested: experimental', rsp_tag_type(value) = 'Experimental' from input where label = 'nested exp_';
select 'nested: version', rsp_tag_version(value) = '22.0.0-rc1' from input where label = 'nested exp_';
select 'nested: cycle', rsp_tag_cycle(value) = 20 and rsp_tag_cycle_build(value) = 1 from input where label = 'nested exp_';
select 'nested: rsp build and arch', rsp_tag_rsp_build(value) = 19 and rsp_tag_architecture(value) = 'arm64'
  from input where label = 'nested exp_';
select 'nested: display name', rsp_tag_display_name(value) =
  replace(hex(zeroblob(100000)), '00', 'Experimental ') || 'Release Candidate r22.0.0-rc1 (SAL Cycle 0020, Build 001) (RSP Build 19) [arm64]'
  from input where label = 'nested exp_';
select 'nested: JSON tag is the whole tag', rsp_parse_tag(value) ->> '$.tag' = value from input where label = 'nested exp_';
select 'nested: extra, base, date NULL',
  rsp_tag_extra(value) is null and rsp_tag_base(value) is null and rsp_tag_date(value) is null
  from input where label = 'nested exp_';
select 'nested: sorts after a shallower experimental of the same version', rsp_tag_compare(value, 'exp_r22_0_0_rc1') = 1
  from input where label = 'nested exp_';
select 'nested: so does its sort key', rsp_tag_sort_key(value) > rsp_tag_sort_key('exp_r22_0_0_rc1')
  from input where label = 'nested exp_';

-- Every accessor agrees with rsp_parse_tag on every input.
select 'accessors agree with rsp_parse_tag: ' || label,
  rsp_tag_type(value) is rsp_parse_tag(value) ->> '$.image_type'
  and rsp_tag_display_name(value) is rsp_parse_tag(value) ->> '$.display_name'
  and rsp_tag_cycle(value) is rsp_parse_tag(value) ->> '$.cycle'
  and rsp_tag_cycle_build(value) is rsp_parse_tag(value) ->> '$.cycle_build'
  and rsp_tag_rsp_build(value) is rsp_parse_tag(value) ->> '$.rsp_build'
  and rsp_tag_date(value) is rsp_parse_tag(value) ->> '$.date'
  and (rsp_tag_base(value) is null) = (rsp_parse_tag(value) ->> '$.base' is null)
  and (rsp_tag_extra(value) is null) = (rsp_parse_tag(value) ->> '$.extra' is null)
  and (rsp_tag_architecture(value) is null) = (rsp_parse_tag(value) ->> '$.architecture' is null)
from input where label not in ('invalid utf-8', 'embedded nul');

-- rsp_tag_compare, the collation and rsp_semver_compare on ordinary input.
select 'compare: types differ gives NULL', rsp_tag_compare('r21_0_1', 'w_2021_22') is null;
select 'compare: newer release is greater', rsp_tag_compare('r22_0_0', 'r21_0_1') = 1;
select 'compare: equal fields compare equal', rsp_tag_compare('w_2021_22_c0020.001', 'w_2021_22_c20.1') = 0;
select 'compare: generic sorts after arch-specific', rsp_tag_compare('w_2021_22', 'w_2021_22-amd64') = 1;
select 'collation: menu order', (select group_concat(t, ' ') from (
    select column1 as t from (values ('latest'), ('w_2021_22-amd64'), ('r21_0_1'), ('w_2021_22'),
      ('r22_0_0_rc1'), ('exp_foo'), ('d_2021_05_27'), ('r22_0_0'))
    order by t collate rsp_tag desc))
  = 'r22_0_0 r21_0_1 w_2021_22 w_2021_22-amd64 d_2021_05_27 r22_0_0_rc1 exp_foo latest';
select 'sort key: menu order', (select group_concat(t, ' ') from (
    select column1 as t from (values ('latest'), ('w_2021_22-amd64'), ('r21_0_1'), ('w_2021_22'),
      ('r22_0_0_rc1'), ('exp_foo'), ('d_2021_05_27'), ('r22_0_0'))
    order by rsp_tag_sort_key(t) desc))
  = 'r22_0_0 r21_0_1 w_2021_22 w_2021_22-amd64 d_2021_05_27 r22_0_0_rc1 exp_foo latest';
select 'collation: NULLs first ascending', (select group_concat(coalesce(t, 'NULL'), ' ') from (
    select column1 as t from (values ('r21_0_1'), (NULL)) order by t collate rsp_tag)) = 'NULL r21_0_1';
select 'semver: rc10 < rc2', rsp_semver_compare('1.0.0-rc10', '1.0.0-rc2') = -1;
select 'semver: prerelease < release', rsp_semver_compare('1.0.0-rc.1', '1.0.0') = -1;
select 'semver: build metadata ignored', rsp_semver_compare('1.0.0+a', '1.0.0+b') = 0;
select 'semver: numeric', rsp_semver_compare('10.0.0', '9.0.0') = 1;
select 'rsp_version is a semantic version', rsp_semver_compare(rsp_version(), rsp_version()) = 0;
select 'rsp_version is the VERSION file', rsp_version() = trim(cast(readfile('@DATA@/../VERSION') as text), char(9, 10, 13, 32));
