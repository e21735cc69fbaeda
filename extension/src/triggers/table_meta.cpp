// SPDX-License-Identifier: PostgreSQL
// Reading a table's metadata for the triggers: see table_meta.hpp.
#include "triggers/table_meta.hpp"

#include <memory>

#include "core/payload_encoding.hpp"
#include "core/trigger_args.hpp"
#include "pg/bridge.hpp"
#include "pg/compat.hpp"

extern "C" {
#include "catalog/pg_index.h"
#include "catalog/pg_operator.h"
#include "common/keywords.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}

namespace pgqpp::ext::triggers {

namespace {

constexpr std::string_view kMagicPrefix = "_pgq_ev_";

core::KeywordClass keyword_class(const char* name) {
  int kwnum = ScanKeywordLookup(name, &ScanKeywords);
  if (kwnum < 0) return core::KeywordClass::kNotKeyword;
  return ScanKeywordCategories[kwnum] == UNRESERVED_KEYWORD ? core::KeywordClass::kUnreserved
                                                            : core::KeywordClass::kReserved;
}

JsonKind json_kind(Oid type) {
  switch (type) {
    case BOOLOID:
      return JsonKind::kBool;
    case INT2OID:
      return JsonKind::kInt16;
    case INT4OID:
      return JsonKind::kInt32;
    case INT8OID:
      return JsonKind::kInt64;
    case DATEOID:
    case TIMESTAMPOID:
    case TIMESTAMPTZOID:
      return JsonKind::kDateTime;
    default:
      return JsonKind::kString;
  }
}

TextForm text_form(Oid type) {
  switch (type) {
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID:
      return TextForm::kVarlenaBytes;
    case INT2OID:
      return TextForm::kInt16;
    case INT4OID:
      return TextForm::kInt32;
    case INT8OID:
      return TextForm::kInt64;
    case BOOLOID:
      return TextForm::kBool;
    default:
      return TextForm::kOutputFunction;
  }
}

int magic_field(const std::string& name) {
  if (name.compare(0, kMagicPrefix.size(), kMagicPrefix) != 0) return kNoMagic;
  for (int f = 0; f < core::kEventFields; ++f) {
    if (name == std::string("_pgq_") + core::kEventFieldNames[f]) return f;  // _pgq_ev_type ..
  }
  return kUnknownMagic;
}

// The column's output and equality functions. Arrays and records compare by
// their text forms (as PgQ does for arrays): their "=" fails on element
// types without equality, and no change check may fail a write.
void load_functions(Column& col, MemoryContext cxt) {
  pg_call([&] {
    Oid output_fn;
    bool varlena;
    getTypeOutputInfo(col.type, &output_fn, &varlena);
    fmgr_info_cxt(output_fn, &col.output, cxt);
    TypeCacheEntry* tc = lookup_type_cache(col.type, TYPECACHE_EQ_OPR);
    Oid eq = tc->eq_opr;
    col.compare_as_text = !OidIsValid(eq) || eq == ARRAY_EQ_OP || eq == RECORD_EQ_OP;
    if (!col.compare_as_text) fmgr_info_cxt(get_opcode(eq), &col.equal, cxt);
  });
}

void describe_column(Column& col, Form_pg_attribute att, MemoryContext cxt) {
  col.dropped = att->attisdropped;
  if (col.dropped) return;
  col.name = NameStr(att->attname);
  col.url_name = core::url_encoded(col.name);
  col.json_key = core::json_string(col.name) + ":";
  auto kw = keyword_class(col.name.c_str());
  col.sql_name = core::sql_identifier(col.name, kw, false);
  col.sql_name_quoted = core::sql_identifier(col.name, kw, true);
  col.type = att->atttypid;
  col.collation = att->attcollation;
  col.json = json_kind(col.type);
  col.text = text_form(col.type);
  col.magic_field = magic_field(col.name);
  load_functions(col, cxt);
}

// The primary key's column positions in index order: its key columns only
// (a covering index's INCLUDE columns identify nothing).
std::vector<int> primary_key(Relation rel) {
  std::vector<int> key;
  Oid index = pg_call([&] { return compat::primary_key_index(rel); });
  if (!OidIsValid(index)) return key;
  HeapTuple tuple = pg_call([&] { return SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index)); });
  if (!HeapTupleIsValid(tuple))
    throw Error(
        ERRCODE_UNDEFINED_OBJECT,
        "primary key index of \"" + std::string(RelationGetRelationName(rel)) + "\" vanished");
  auto* form = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
  for (int i = 0; i < form->indnkeyatts; ++i) key.push_back(form->indkey.values[i] - 1);
  pg_call([&] { ReleaseSysCache(tuple); });
  return key;
}

}  // namespace

TableMeta::~TableMeta() {
  if (cxt != nullptr) MemoryContextDelete(cxt);
}

std::vector<std::string> TableMeta::column_names() const {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const Column& c : columns) names.push_back(c.dropped ? std::string() : c.name);
  return names;
}

std::unique_ptr<TableMeta> build_table_meta(Relation rel) {
  auto meta = std::make_unique<TableMeta>();
  meta->relid = RelationGetRelid(rel);
  meta->cxt = pg_call([&] {
    return AllocSetContextCreate(CacheMemoryContext, "pgqpp trigger table", ALLOCSET_SMALL_SIZES);
  });
  meta->name = RelationGetRelationName(rel);
  const char* schema = pg_call([&] { return get_namespace_name(RelationGetNamespace(rel)); });
  meta->schema = schema != nullptr ? schema : "";
  meta->full_name = meta->schema + "." + meta->name;
  TupleDesc desc = RelationGetDescr(rel);
  meta->columns.resize(desc->natts);  // sized once: the FmgrInfos never move
  for (int i = 0; i < desc->natts; ++i)
    describe_column(meta->columns[i], TupleDescAttr(desc, i), meta->cxt);
  meta->primary_key = primary_key(rel);
  for (int pos : meta->primary_key) {
    if (!meta->primary_key_list.empty()) meta->primary_key_list += ',';
    meta->primary_key_list += meta->columns[pos].name;
  }
  return meta;
}

}  // namespace pgqpp::ext::triggers
