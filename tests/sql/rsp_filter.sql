-- rsp_filter() outside a catalog and with bad arguments: every failure is an error that names
-- rsp_filter. (Its results on a real catalog are checked by docs/sql.md and docs/reports.md.)
select count(*) from rsp_filter('{}'); -- error: rsp_filter: this database holds no rspcat catalog
select count(*) from rsp_filter(NULL); -- error: rsp_filter: the policy is NULL
select count(*) from rsp_filter(); -- error: rsp_filter: needs a policy
select count(*) from rsp_filter('{"weekly": {"number": -1}}'); -- error: rsp_filter: policy: weekly.number: -1 is negative
select count(*) from rsp_filter('not json'); -- error: rsp_filter: policy: not valid JSON
select count(*) from rsp_filter('null'); -- error: rsp_filter: policy: the policy must be a mapping of image types to filters, not null
select count(*) from rsp_filter(''); -- error: rsp_filter: policy: the document is empty
select count(*) from rsp_filter('{"weekly": {"number": 2, "number": 9}}'); -- error: rsp_filter: policy: weekly.number: given twice
select count(*) from rsp_filter('{}', x'00'); -- error: rsp_filter: at is a BLOB
select count(*) from rsp_filter('{}', 'yesterday'); -- error: rsp_filter: at: 'yesterday' is not an ISO 8601 time
select 'rsp_filter is a module, not a function', exists (select 1 from pragma_module_list where name = 'rsp_filter');

-- An empty catalog of the right shape answers, and says when it is empty.
create table repositories (id integer primary key, registry text, repository text);
select count(*) from rsp_filter('{}'); -- error: rsp_filter: the catalog is empty
insert into repositories values (1, 'r', 'a'), (2, 'r', 'b');
select count(*) from rsp_filter('{}'); -- error: rsp_filter: the catalog holds several repositories
select count(*) from rsp_filter('{}', NULL, 0, 0, NULL, 'r', 'c'); -- error: rsp_filter: no repository r/c
select count(*) from rsp_filter('{}', NULL, 0, 0, NULL, 'r'); -- error: rsp_filter: registry and repository go together

-- A view named listing (the table rsp_filter reads) that calls rsp_filter() again would recurse
-- without end (a stack overflow that took the shell down, with trusted_schema=OFF too, since
-- rsp_filter is innocuous): the call from within is refused, and the outer call fails with it.
delete from repositories where id = 2;
create table one_row as
select 'w_2021_01' as tag, 'Weekly' as image_type, 'Weekly 2021_01' as display_name, 2021 as version_major,
       1 as version_minor, 0 as version_patch, null as version_prerelease, null as base, null as cycle,
       null as cycle_build, null as rsp_build, null as architecture, null as extra, null as date,
       'r' as registry, 'a' as repository, 'sha256:' || hex(zeroblob(32)) as digest, null as size,
       null as alias_target, '[]' as aliases, '[]' as nodes, 1 as repository_id, null as scope_cycle,
       2 as type_priority, null as prerelease_key;
create view listing as select * from one_row where (select count(*) from rsp_filter('{}')) >= 0;
select count(*) from rsp_filter('{}'); -- error: rsp_filter: called from within itself
pragma trusted_schema = off;
select count(*) from rsp_filter('{}'); -- error: rsp_filter: called from within itself
pragma trusted_schema = on;
-- After the refusal the connection is usable: a view that does not recurse answers.
drop view listing;
create view listing as select * from one_row;
select 'rsp_filter answers again after a refused re-entry', (select group_concat(tag) from rsp_filter('{}')) = 'w_2021_01';
