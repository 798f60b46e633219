-- rsp_filter() outside a catalog and with bad arguments: every failure is an error that names
-- rsp_filter. (Its results on a real catalog are checked by docs/sql.md and docs/reports.md.)
select count(*) from rsp_filter('{}'); -- error: rsp_filter: this database holds no rspcat catalog
select count(*) from rsp_filter(NULL); -- error: rsp_filter: the policy is NULL
select count(*) from rsp_filter(); -- error: rsp_filter: needs a policy
select count(*) from rsp_filter('{"weekly": {"number": -1}}'); -- error: rsp_filter: policy: weekly.number: -1 is negative
select count(*) from rsp_filter('not json'); -- error: rsp_filter: policy: not valid JSON
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
