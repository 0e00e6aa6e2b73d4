/* record.c - see record.h. */
#include "record.h"
#include "../util/json.h"

json_t *kk_rec_new(const char *type, const char *source)
{
    json_t *r = json_object();
    json_object_set_new(r, "type", json_string(type));
    kk_jset_str(r, "source", source);
    return r;
}

json_t *kk_rule_meta(const YR_RULE *rule)
{
    json_t *m = json_object();
    const YR_META *meta;
    yr_rule_metas_foreach(rule, meta)
    {
        json_t *v;
        if (meta->type == META_TYPE_INTEGER)
            v = json_integer(meta->integer);
        else if (meta->type == META_TYPE_BOOLEAN)
            v = json_boolean(meta->integer);
        else
            v = kk_jstr(meta->string);
        json_t *old = json_object_get(m, meta->identifier);
        if (!old) {
            json_object_set_new(m, meta->identifier, v);
        } else if (json_is_array(old)) {
            json_array_append_new(old, v);
        } else {
            json_t *arr = json_array();
            json_array_append(arr, old);
            json_array_append_new(arr, v);
            json_object_set_new(m, meta->identifier, arr);
        }
    }
    return m;
}

json_t *kk_rule_tags(const YR_RULE *rule)
{
    json_t *tags = json_array();
    const char *tag;
    yr_rule_tags_foreach(rule, tag) json_array_append_new(tags, kk_jstr(tag));
    return tags;
}

json_t *kk_rec_too_many(const char *source, const YR_STRING *s, const YR_RULE *rule)
{
    json_t *r = kk_rec_new("warning", source);
    kk_jset_str(r, "what", "too_many_matches");
    kk_jset_str(r, "rule", rule->identifier);
    kk_jset_str(r, "namespace", rule->ns->name);
    kk_jset_str(r, "string", s->identifier);
    return r;
}
