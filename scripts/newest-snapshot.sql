.load ./build/rsp
.mode tabs
.import @HISTORY@ history
create table newest as
  select tag, digest, size from history where snapshot_at = (select max(snapshot_at) from history);

.print
.mode box
select (select max(snapshot_at) from history) as "newest snapshot", count(*) as tags from newest;

.print Tags by type, in menu priority:
select rsp_tag_type(tag) as type, count(*) as tags
from newest group by 1 order by max(tag collate rsp_tag) desc;

.print Tags in menu order (first 10):
select tag, rsp_tag_type(tag) as type, rsp_tag_display_name(tag) as "display name",
       rsp_tag_version(tag) as version, rsp_tag_date(tag) as date
from newest order by tag collate rsp_tag desc limit 10;
