/* test_cov_compile.c - the compiler's diagnostics one scheme at a time:
 * names and fields, types, aggregates and built-ins, bands, units, divisions,
 * tables and their settings, teams, roles, scheme tests and --set, each with
 * its exact message (line:column, code, text) and its help; and schemes that
 * must compile cleanly: constant folding, settings, bands the checks accept. */
#define KPI_TEST_COMPILER
#include "tests/unit/testutil.h"

#include "compiler/disasm.h"

/* 26 lines: a case's own text starts on line 27 */
static const char HEAD[] =
    "roster s from \"r.csv\" {\n"
    " employee id: text\n"
    " name fio: text\n"
    " department dept: text\n"
    " salary: money\n"
    " grade: text\n"
    " hired: date\n"
    " rate: decimal\n"
    "}\n"
    "facts deals from \"d.csv\" {\n"
    " employee m: text\n"
    " date on: date\n"
    " amount: money\n"
    " cost: money\n"
    " status: text\n"
    " client: text\n"
    " paid: bool\n"
    " hrs: hours\n"
    " q1..q3: score\n"
    "}\n"
    "plans plan from \"p.csv\" {\n"
    " employee id: text\n"
    " period month: period\n"
    " revenue: money nonzero\n"
    " margin: money\n"
    "}\n";

typedef struct Case {
    const char *what, *body;
    const char *want[2];      /* substrings of the rendered diagnostics */
} Case;

static const Case cases[] = {
    {"table_not_value",
        "let x = deals\n"
        "payout = s.salary\n",
     {"27:9: error[K0205]: 'deals' is not a value", "help: a fact table has many rows; aggregate it: sum(COLUMN from deals)"}},
    {"roster_not_value",
        "let x = s\n"
        "payout = s.salary\n",
     {"27:9: error[K0205]: 's' is not a value", "help: name a column: s.COLUMN"}},
    {"ind_not_value",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "let x = rev\n"
        "payout = s.salary\n",
     {"28:9: error[K0205]: 'rev' is not a value", "help: use rev.score, rev.index, rev.fact or rev.plan"}},
    {"team_not_value",
        "team t { tot = sum(s.salary) }\n"
        "let x = t\n"
        "payout = s.salary\n",
     {"28:9: error[K0205]: 't' is not a value", "help: use a field of the team: t.FIELD"}},
    {"scale_not_value",
        "scale sc(x) = x * 2\n"
        "let x = sc\n"
        "payout = s.salary\n",
     {"28:9: error[K0205]: 'sc' is not a value", "help: call the scale: sc(index)"}},
    {"contribution_own",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100%; score = contribution }\n"
        "payout = s.salary\n",
     {"27:92: error[K0201]: unknown name 'contribution'"}},
    {"bad_field_own",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; score = indx }\n"
        "payout = s.salary\n",
     {"27:77: error[K0201]: unknown name 'indx'", "help: did you mean 'index'?"}},
    {"bad_ind_field",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "let x = rev.scor\n"
        "payout = s.salary\n",
     {"28:13: error[K0206]: an indicator has no field 'scor'", "help: did you mean 'score'?"}},
    {"bad_team_field",
        "team t { tot = sum(s.salary) }\n"
        "let x = t.tott\n"
        "payout = s.salary\n",
     {"28:11: error[K0206]: team 't' has no field 'tott'", "help: did you mean 'tot'?"}},
    {"team_in_row",
        "team t { tot = sum(s.salary) }\n"
        "let x = sum(amount from deals where amount > t.tot)\n"
        "payout = s.salary\n",
     {"28:48: error[K0302]: a team value differs from employee to employee"}},
    {"team_in_param",
        "team t { tot = sum(s.salary) }\n"
        "param p = t.tot\n"
        "payout = s.salary\n",
     {"28:13: error[K0302]: a team value differs from employee to employee"}},
    {"value_no_fields",
        "let y = 2\n"
        "let x = y.z\n"
        "payout = s.salary\n",
     {"28:9: error[K0205]: 'y' has no fields"}},
    {"unknown_base_field",
        "let x = zz.z\n"
        "payout = s.salary\n",
     {"27:9: error[K0201]: unknown name 'zz'"}},
    {"cmp_types",
        "let x = s.grade = 5\n"
        "payout = s.salary\n",
     {"27:9: error[K0301]: cannot compare a text with a number"}},
    {"text_lt",
        "let x = s.grade < \"a\"\n"
        "payout = s.salary\n",
     {"27:9: error[K0301]: a text can only be compared with = or !="}},
    {"default_types",
        "let x = s.grade default 5\n"
        "payout = s.salary\n",
     {"27:25: error[K0301]: the default is a number, the value a text"}},
    {"if_types",
        "let x = if s.salary > 0 then \"a\" else 5\n"
        "payout = s.salary\n",
     {"27:9: error[K0301]: the branches of if give a text and a number"}},
    {"bands_in_row",
        "let x = sum(amount from deals where bands { amount > 0 -> true\n"
        " else -> false })\n"
        "payout = s.salary\n",
     {"27:37: error[K0302]: bands cannot be used inside a row expression"}},
    {"else_not_last",
        "let x = bands {\n"
        " else -> 1\n"
        " s.salary > 0 -> 2\n"
        "}\n"
        "payout = s.salary\n",
     {"28:2: error[K0301]: the else row must be the last one"}},
    {"bands_types",
        "let x = bands {\n"
        " s.salary > 0 -> 1\n"
        " else -> \"a\"\n"
        "}\n"
        "payout = s.salary\n",
     {"29:10: error[K0301]: this band gives a text, the others a number"}},
    {"minmax_text",
        "let x = max(status from deals)\n"
        "payout = s.salary\n",
     {"27:13: error[K0301]: min and max need numbers or dates"}},
    {"agg_named",
        "let x = sum(amount: amount from deals)\n"
        "payout = s.salary\n",
     {"27:13: error[K0306]: an aggregate takes no named arguments"}},
    {"cd_two",
        "let x = count(distinct client, status from deals)\n"
        "payout = s.salary\n",
     {"27:9: error[K0306]: count(distinct ...) counts the different values of one expression"}},
    {"not_fact_table",
        "let x = sum(salary from s)\n"
        "payout = s.salary\n",
     {"27:25: error[K0205]: 's' is not a fact table"}},
    {"not_fact_table2",
        "let x = sum(amount from deels)\n"
        "payout = s.salary\n",
     {"27:25: error[K0205]: 'deels' is not a fact table", "help: did you mean 'deals'?"}},
    {"agg_noargs",
        "let x = sum(from deals)\n"
        "payout = s.salary\n",
     {"27:13: error[K0101]: unexpected 'from'"}},
    {"builtin_from",
        "let x = abs(amount from deals)\n"
        "payout = s.salary\n",
     {"27:9: error[K0305]: abs takes no 'from', 'where' or 'distinct'"}},
    {"builtin_named",
        "let x = abs(x: 5)\n"
        "payout = s.salary\n",
     {"27:13: error[K0305]: abs takes no named arguments"}},
    {"builtin_arity",
        "let x = abs(1, 2)\n"
        "payout = s.salary\n",
     {"27:9: error[K0305]: abs takes 1 argument, not 2"}},
    {"builtin_arity2",
        "let x = round(1, 2, half_up, 4)\n"
        "payout = s.salary\n",
     {"27:9: error[K0305]: round takes 1 to 3 arguments, not 4"}},
    {"round_step0",
        "let x = round(s.salary, 0)\n"
        "payout = s.salary\n",
     {"27:25: error[K0305]: the rounding step must be positive"}},
    {"ws_not_ind",
        "let x = weighted_sum(s.salary)\n"
        "payout = s.salary\n",
     {"27:22: error[K0305]: weighted_sum takes indicator names"}},
    {"min_text",
        "let x = min(s.grade, \"b\")\n"
        "payout = s.salary\n",
     {"27:13: error[K0301]: min and max need numbers or dates", "27:22: error[K0301]: min and max need numbers or dates"}},
    {"clamp_arity",
        "let x = clamp(1, 2)\n"
        "payout = s.salary\n",
     {"27:9: error[K0305]: clamp takes 3 arguments, not 2"}},
    {"is_blank_arity",
        "let x = is_blank(1, 2)\n"
        "payout = s.salary\n",
     {"27:9: error[K0305]: is_blank takes 1 argument, not 2"}},
    {"sum_no_table",
        "let x = sum(s.salary)\n"
        "payout = s.salary\n",
     {"27:9: error[K0306]: sum needs the table it aggregates", "help: write sum(COLUMN from TABLE)"}},
    {"scale_twice",
        "scale sc(x, y = 1) = x * y\n"
        "let x = sc(1, x: 2)\n"
        "payout = s.salary\n",
     {"28:18: error[K0204]: parameter 'x' is given twice"}},
    {"distinct_sum",
        "let x = sum(distinct amount from deals)\n"
        "payout = s.salary\n",
     {"27:9: error[K0306]: distinct goes with count: count(distinct client from deals)"}},
    {"distinct_no_table",
        "let x = count(distinct s.grade)\n"
        "payout = s.salary\n",
     {"27:9: error[K0306]: count(distinct ...) needs the table: count(distinct x from t)"}},
    {"unknown_fn",
        "let x = foo(1)\n"
        "payout = s.salary\n",
     {"27:9: error[K0203]: unknown function or scale 'foo'", "help: is an 'import scales' missing?"}},
    {"unknown_fn2",
        "let x = linear(1)\n"
        "payout = s.salary\n",
     {"27:9: error[K0203]: unknown function or scale 'linear'", "help: is an 'import scales' missing?"}},
    {"range_outside",
        "let x = q1..q3\n"
        "payout = s.salary\n",
     {"27:11: error[K0101]: unexpected '..', expected end of line or ';'"}},
    {"param_from_let",
        "let y = s.salary\n"
        "param p = y\n"
        "payout = s.salary\n",
     {"28:11: error[K0302]: 'y' differs from employee to employee", "help: a param must be a constant"}},
    {"lower_better_index",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; better = lower; weight = 100% }\n"
        "payout = s.salary\n",
     {"27:11: warning[K0802]: the index of 'rev' divides by its fact, which can be zero", "help: say what a zero fact scores: index = plan / fact default ..."}},
    {"better_bad",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; better = middle }\n"
        "payout = s.salary\n",
     {"27:78: error[K0404]: better is 'higher' or 'lower'", "help: better = lower for overdue receivables, response time..."}},
    {"unknown_ind_field",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; scroe = 1 }\n"
        "payout = s.salary\n",
     {"27:69: error[K0206]: an indicator has no field 'scroe'", "help: did you mean 'score'?"}},
    {"unknown_ind_field2",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; zzzzzz = 1 }\n"
        "payout = s.salary\n",
     {"27:69: error[K0206]: an indicator has no field 'zzzzzz'", "help: fields: fact, plan, index, score, weight, better, and 'only if'"}},
    {"ind_field_twice",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; plan = 5 }\n"
        "payout = s.salary\n",
     {"27:69: error[K0204]: field 'plan' is given twice"}},
    {"team_by_notcol",
        "team t by 5 { n = count(s.id) }\n"
        "payout = s.salary\n",
     {"27:11: error[K0405]: a team is grouped by a roster column", "help: write: team t by s.COLUMN"}},
    {"team_by_unknown",
        "team t by s.grd { n = count(s.id) }\n"
        "payout = s.salary\n",
     {"27:13: error[K0202]: table 's' has no column 'grd'", "note: columns of s: id, fio, dept, salary, grade, hired, rate"}},
    {"team_field_shape",
        "team t { n = s.salary }\n"
        "payout = s.salary\n",
     {"27:14: error[K0405]: a team field aggregates one value over the members", "help: write e.g. n = sum(revenue.fact) or avg(x where cond)"}},
    {"team_field_twice",
        "team t { n = count(s.id); n = sum(s.salary) }\n"
        "payout = s.salary\n",
     {"27:27: error[K0204]: team field 'n' is given twice"}},
    {"team_sum_text",
        "team t { n = sum(s.grade) }\n"
        "payout = s.salary\n",
     {"27:18: error[K0405]: sum of a team needs numbers, but this is a text"}},
    {"team_min_text",
        "team t { n = min(s.grade) }\n"
        "payout = s.salary\n",
     {"27:18: error[K0405]: min of a team needs numbers or dates, but this is a text"}},
    {"team_avg_text",
        "team t { n = avg(s.grade) }\n"
        "payout = s.salary\n",
     {"27:18: error[K0405]: avg of a team needs numbers, but this is a text"}},
    {"allow_unknown",
        "allow K9999\n"
        "payout = s.salary\n",
     {"27:7: error[K0208]: unknown diagnostic code 'K9999'", "help: kpic explain --all lists the codes"}},
    {"allow_not_allowable",
        "allow K0101\n"
        "payout = s.salary\n",
     {"27:7: error[K0208]: K0101 (syntax error) cannot be allowed", "help: only warnings and the checks K07xx and K08xx can be switched off"}},
    {"bad_scheme_setting",
        "perod month\n"
        "payout = s.salary\n",
     {"27:1: error[K0208]: unknown setting 'perod'", "help: did you mean 'period'?"}},
    {"bad_scheme_setting2",
        "zzzzzz month\n"
        "payout = s.salary\n",
     {"27:1: error[K0208]: unknown setting 'zzzzzz'", "help: the scheme's settings are period, rounding, currency \"...\" and allow CODE"}},
    {"two_rosters",
        "roster s2 from \"r2.csv\" { employee id: text }\n"
        "payout = s.salary\n",
     {"27:8: error[K0401]: a scheme has one roster"}},
    {"payout_twice",
        "payout = s.salary\n"
        "payout = s.salary\n",
     {"28:1: error[K0204]: payout is given twice"}},
    {"roles_twice",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "roles by s.grade { \"a\": rev 100% }\n"
        "roles by s.grade { \"b\": rev 100% }\n"
        "payout = s.salary\n",
     {"29:1: error[K0406]: a scheme has one 'roles' block"}},
    {"role_twice",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "roles by s.grade { \"a\": rev 100%\n"
        " \"a\": rev 100% }\n"
        "payout = s.salary\n",
     {"29:2: error[K0204]: role \"a\" is listed twice"}},
    {"else_role_twice",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "roles by s.grade { else: rev 100%\n"
        " else: rev 100% }\n"
        "payout = s.salary\n",
     {"29:2: error[K0204]: role else is listed twice"}},
    {"role_not_ind",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "roles by s.grade { \"a\": s 100% }\n"
        "payout = s.salary\n",
     {"28:25: error[K0406]: 's' is not an indicator"}},
    {"format_bad",
        "facts f2 from \"f.csv\" { format xx\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:32: error[K0208]: 'xx' is not a valid format", "help: use 'format ru' (; , DD.MM.YYYY) or 'format iso' (, . YYYY-MM-DD)"}},
    {"delim_bad",
        "facts f2 from \"f.csv\" { delimiter \"x\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:35: error[K0208]: 'x' is not a valid delimiter", "help: use \",\", \";\", \"|\" or \"\\t\""}},
    {"delim_long",
        "facts f2 from \"f.csv\" { delimiter \";;\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:35: error[K0208]: ';;' is not a valid delimiter", "help: use \",\", \";\", \"|\" or \"\\t\""}},
    {"decimal_bad",
        "facts f2 from \"f.csv\" { decimal \"x\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:33: error[K0208]: 'x' is not a valid decimal point", "help: use \".\" or \",\""}},
    {"thousands_bad",
        "facts f2 from \"f.csv\" { thousands \"x\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:35: error[K0208]: 'x' is not a valid thousands separator", "help: use \" \", \".\", \",\", \"'\" or \"\" for none"}},
    {"dates_bad",
        "facts f2 from \"f.csv\" { dates \"MM/DD/YYYY\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:31: error[K0208]: 'MM/DD/YYYY' is not a valid date format", "help: use \"DD.MM.YYYY\" or \"YYYY-MM-DD\""}},
    {"empty_bad",
        "facts f2 from \"f.csv\" { empty maybe\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:31: error[K0208]: 'maybe' is not a valid meaning of an empty cell", "help: use blank, zero or error"}},
    {"format_text",
        "facts f2 from \"f.csv\" { format \"ru\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:32: error[K0208]: format takes a word, not a text in quotes", "help: format ru, or format iso"}},
    {"delim_word",
        "facts f2 from \"f.csv\" { delimiter semicolon\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:35: error[K0208]: delimiter takes a text in quotes", "help: delimiter \";\""}},
    {"decimal_word",
        "facts f2 from \"f.csv\" { decimal comma\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:33: error[K0208]: decimal takes a text in quotes", "help: decimal \",\""}},
    {"thousands_word",
        "facts f2 from \"f.csv\" { thousands space\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:35: error[K0208]: thousands takes a text in quotes", "help: thousands \" \""}},
    {"dates_word",
        "facts f2 from \"f.csv\" { dates dmy\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:31: error[K0208]: dates takes a text in quotes", "help: dates \"DD.MM.YYYY\""}},
    {"empty_text",
        "facts f2 from \"f.csv\" { empty \"zero\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:31: error[K0208]: empty takes a word, not a text in quotes", "help: empty blank, empty zero or empty error"}},
    {"unknown_setting",
        "facts f2 from \"f.csv\" { delimitr \";\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:25: error[K0208]: unknown table setting 'delimitr'", "help: did you mean 'delimiter'?"}},
    {"unknown_setting2",
        "facts f2 from \"f.csv\" { zzzzzzzz \";\"\n"
        " employee m: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"27:25: error[K0208]: unknown table setting 'zzzzzzzz'", "help: a table may set format, delimiter, decimal, thousands, dates and empty"}},
    {"decimal_places",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: decimal(19) }\n"
        "payout = s.salary\n",
     {"29:5: error[K0208]: decimal places must be between 0 and 18"}},
    {"money_places",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: money(2) }\n"
        "payout = s.salary\n",
     {"29:5: error[K0208]: only decimal takes a number of places"}},
    {"unknown_type",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: mony }\n"
        "payout = s.salary\n",
     {"29:5: error[K0208]: unknown column type 'mony'", "help: did you mean 'money'?"}},
    {"unknown_type2",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: zzzzzzzz }\n"
        "payout = s.salary\n",
     {"29:5: error[K0208]: unknown column type 'zzzzzzzz'", "help: types: text, integer, decimal, decimal(N), money, bool, date, score, period, hours, days"}},
    {"plans_no_key",
        "plans p2 from \"p2.csv\" { period month: period\n"
        " x: money }\n"
        "payout = s.salary\n",
     {"27:7: error[K0403]: plans table 'p2' has no key column", "help: mark the column the plans are for: employee id: text, or department dept: text"}},
    {"plans_two_keys",
        "plans p2 from \"p2.csv\" { employee id: text\n"
        " department d: text\n"
        " period month: period\n"
        " x: money }\n"
        "payout = s.salary\n",
     {"27:7: error[K0403]: plans table 'p2' is keyed by employee and by department; choose one"}},
    {"role_not_allowed",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " name n: text }\n"
        "payout = s.salary\n",
     {"29:2: error[K0403]: a facts table has no name column"}},
    {"role_twice_col",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " employee m2: text\n"
        " date on: date }\n"
        "payout = s.salary\n",
     {"28:2: error[K0403]: table 'f2' has two employee columns"}},
    {"bad_flag",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: money positive }\n"
        "payout = s.salary\n",
     {"29:11: error[K0208]: 'positive' is not a column option", "help: a number column may be marked nonzero; any column may say empty blank|zero|error"}},
    {"nonzero_text",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: text nonzero }\n"
        "payout = s.salary\n",
     {"29:10: error[K0208]: 'nonzero' is not a column option", "help: a number column may be marked nonzero; any column may say empty blank|zero|error"}},
    {"bad_empty_col",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: money empty maybe }\n"
        "payout = s.salary\n",
     {"29:17: error[K0208]: 'maybe' is not a meaning of an empty cell", "help: use blank, zero or error"}},
    {"nonzero_emptyzero",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: money nonzero empty zero }\n"
        "payout = s.salary\n",
     {"29:2: error[K0403]: column 'x' is nonzero, yet its empty cells would read as zero", "help: write empty blank or empty error for this column"}},
    {"col_twice",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: money\n"
        " x: money \"X2\" }\n"
        "payout = s.salary\n",
     {"30:2: error[K0204]: column 'x' is declared twice"}},
    {"header_twice",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " x: money \"H\"\n"
        " y: money \"H\" }\n"
        "payout = s.salary\n",
     {"30:2: error[K0204]: two columns read the header \"H\""}},
    {"no_cols",
        "facts f2 from \"f.csv\" { }\n"
        "payout = s.salary\n",
     {"27:7: error[K0403]: facts table 'f2' has no employee column", "help: mark the column with the employee id: employee id: text"}},
    {"finite_gap",
        "let k = if s.salary > 100 then 1 else 2\n"
        "let x \"X\" = bands {\n"
        " k = 1 -> 10\n"
        "}\n"
        "payout = s.salary\n",
     {"28:13: error[K0701]: no band for k = 2", "help: k can be only these values; add a band for this one, or an else row"}},
    {"div_bands_zero",
        "let k = bands {\n"
        " s.salary > 100 -> 0\n"
        " else -> 2\n"
        "}\n"
        "let x \"X\" = s.salary / k\n"
        "payout = s.salary\n",
     {"31:13: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"div_default_zero",
        "let x \"X\" = s.salary / (s.rate default 0)\n"
        "payout = s.salary\n",
     {"27:13: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"div_div",
        "let x \"X\" = s.salary / (s.rate / 2)\n"
        "payout = s.salary\n",
     {"27:13: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"div_if_zero",
        "let x \"X\" = s.salary / (if s.rate > 1 then 0 else 1)\n"
        "payout = s.salary\n",
     {"27:13: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"lower_zero_fact",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; better = lower; weight = 100% }\n"
        "payout = s.salary\n",
     {"27:11: warning[K0802]: the index of 'rev' divides by its fact, which can be zero", "help: say what a zero fact scores: index = plan / fact default ..."}},
    {"unused_indicator",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "payout = s.salary\n",
     {"27:11: warning[K0803]: indicator 'rev' is not used", "help: remove it, or write allow K0803 if it documents the input"}},
    {"weights_role",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "indicator mar { fact = sum(amount - cost from deals); plan = plan.margin }\n"
        "roles by s.grade { \"a\": rev 60%, mar 30% }\n"
        "payout = s.salary\n",
     {"28:11: warning[K0802]: the index of 'mar' divides by its plan, which can be zero", "help: declare the plan's column nonzero, or write index = fact / plan default 0"}},
    {"weights_else",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "indicator mar { fact = sum(amount - cost from deals); plan = plan.margin }\n"
        "roles by s.grade { else: rev 60%, mar 30% }\n"
        "payout = s.salary\n",
     {"28:11: warning[K0802]: the index of 'mar' divides by its plan, which can be zero", "help: declare the plan's column nonzero, or write index = fact / plan default 0"}},
    {"unit_choice",
        "let x \"X\" = if s.salary > 0 then s.salary else sum(hrs from deals)\n"
        "payout = s.salary\n",
     {"27:13: error[K0501]: one value is money, the other hours"}},
    {"unit_min",
        "let x \"X\" = min(s.salary, sum(hrs from deals))\n"
        "payout = s.salary\n",
     {"27:13: error[K0501]: one value is money, the other hours"}},
    {"unit_days",
        "facts f2 from \"f.csv\" { employee m: text\n"
        " date on: date\n"
        " d: days }\n"
        "let x \"X\" = sum(d from f2) + s.salary\n"
        "payout = s.salary\n",
     {"30:13: error[K0501]: cannot add or subtract days and money", "help: multiply by a ratio or divide by an amount to change units (salary * 10%); a bare number takes the unit it needs"}},
    {"unit_per",
        "let x \"X\" = s.salary / sum(hrs from deals) + s.salary\n"
        "payout = s.salary\n",
     {"27:13: error[K0501]: cannot add or subtract money per hour and money", "help: multiply by a ratio or divide by an amount to change units (salary * 10%); a bare number takes the unit it needs"}},
    {"unit_inv",
        "let x \"X\" = 1 / s.salary + s.salary\n"
        "payout = s.salary\n",
     {"27:13: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"unit_sq",
        "let x \"X\" = s.salary * s.salary / sum(hrs from deals) / sum(hrs from deals) + s.salary\n"
        "payout = s.salary\n",
     {"27:13: error[K0501]: cannot add or subtract money^2 per hour^2 and money", "help: multiply by a ratio or divide by an amount to change units (salary * 10%); a bare number takes the unit it needs"}},
    {"band_gap_index",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100%\n"
        " score = bands {\n"
        "  index < 50% -> 0\n"
        "  index >= 60% -> 1\n"
        " } }\n"
        "payout = s.salary\n",
     {"28:10: error[K0701]: no band for 50% <= index < 60%", "help: add a band: 50% <= index < 60% -> ..., or an else row"}},
    {"band_overlap_point",
        "let x \"X\" = bands {\n"
        " s.rate <= 1 -> 1\n"
        " s.rate >= 1 -> 2\n"
        "}\n"
        "payout = s.salary\n",
     {"29:2: error[K0702]: this band overlaps a band above it where x = 1", "help: make one of the two edges strict (< instead of <=)"}},
    {"band_range",
        "let x \"X\" = bands {\n"
        " s.rate < 1 -> 1\n"
        " 1 <= s.rate <= 2 -> 2\n"
        " s.rate > 3 -> 3\n"
        "}\n"
        "payout = s.salary\n",
     {"27:13: error[K0701]: no band for 2 < x <= 3", "help: add a band: 2 < x <= 3 -> ..., or an else row"}},
    {"t_score_range",
        "test \"a\" {\n"
        " row deals { q1: 1.5, on: 2026-01-05 }\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary + sum(q1 from deals) * 1\n",
     {"28:18: error[K1101]: a score is from 0 to 1 (0% to 100%)"}},
    {"t_dept_key",
        "plans dp from \"dp.csv\" { department d: text\n"
        " period month: period\n"
        " x: money }\n"
        "test \"a\" {\n"
        " given dp.d = \"x\"\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary + dp.x\n",
     {"31:8: error[K1101]: this column is filled by the test", "help: it is the employee's department: give the roster's department column"}},
    {"t_not_table",
        "let v \"V\" = 1\n"
        "test \"a\" {\n"
        " row v { x: 1 }\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"29:6: error[K0205]: 'v' is not a table"}},
    {"t_unknown_table",
        "test \"a\" {\n"
        " row deels { x: 1 }\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:6: error[K0201]: unknown table 'deels'", "help: did you mean 'deals'?"}},
    {"t_unknown_table2",
        "test \"a\" {\n"
        " row zzzzzz { x: 1 }\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:6: error[K0201]: unknown table 'zzzzzz'"}},
    {"t_row_roster",
        "test \"a\" {\n"
        " row s { salary: 1 }\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:6: error[K1101]: a row goes to a fact table; 's' is the roster", "help: fill its cells with given s.COLUMN = VALUE"}},
    {"t_bad_period",
        "test \"a\" {\n"
        " period 2026-13\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:9: error[K1101]: '2026-13' is not a month", "help: the scheme is evaluated by month: period 2026-10"}},
    {"t_bad_period_text",
        "test \"a\" {\n"
        " period \"x\"\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:9: error[K1101]: 'x' is not a month", "help: the scheme is evaluated by month: period 2026-10"}},
    {"t_period_twice",
        "test \"a\" {\n"
        " period 2026-01\n"
        " period 2026-02\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"29:2: error[K1101]: a test has one period line"}},
    {"t_employee_empty",
        "test \"a\" {\n"
        " employee \"\"\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:11: error[K1101]: the employee is a text", "help: employee \"E01\""}},
    {"t_employee_num",
        "test \"a\" {\n"
        " employee 5\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:11: error[K1101]: the employee is a text", "help: employee \"E01\""}},
    {"t_no_title",
        "test \"\" {\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"27:1: error[K1101]: a test needs a title"}},
    {"t_title_twice",
        "test \"a\" {\n"
        " expect payout = 1\n"
        "}\n"
        "test \"a\" {\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"30:1: error[K0204]: a second test is titled \"a\""}},
    {"t_no_expect",
        "test \"a\" {\n"
        " given s.salary = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"27:1: error[K1101]: the test expects nothing", "help: say what it should give: expect payout = 101445"}},
    {"t_expect_col",
        "test \"a\" {\n"
        " expect s.salary = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:9: error[K1101]: this is an input, not a result", "help: expect what the scheme computes: a let, kpi, bonus, payout or INDICATOR.score"}},
    {"t_expect_team",
        "team t { n = count(s.id) }\n"
        "test \"a\" {\n"
        " expect t.n = 1\n"
        "}\n"
        "let x \"X\" = t.n\n"
        "payout = s.salary\n",
     {"29:9: error[K1101]: a team field is not kept per employee", "help: expect what the scheme computes: a let, kpi, bonus, payout or INDICATOR.score"}},
    {"t_tilde_text",
        "let g \"G\" = s.grade\n"
        "test \"a\" {\n"
        " expect g ~ \"a\"\n"
        "}\n"
        "payout = s.salary\n",
     {"29:13: error[K1101]: '~' compares numbers"}},
    {"t_given_fact",
        "test \"a\" {\n"
        " given deals.amount = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary + sum(amount from deals)\n",
     {"28:8: error[K1101]: 'deals' is a fact table: give its rows", "help: row deals { amount: ... }"}},
    {"t_given_key",
        "test \"a\" {\n"
        " given s.id = \"x\"\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:8: error[K1101]: this column is filled by the test", "help: it is the test's employee: write employee \"E01\""}},
    {"t_given_twice",
        "test \"a\" {\n"
        " given s.salary = 1\n"
        " given s.salary = 2\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"29:2: error[K1101]: this is given twice in the test"}},
    {"t_given_kpi_undef",
        "test \"a\" {\n"
        " given kpi = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:8: error[K0201]: the scheme does not define kpi"}},
    {"t_given_indicator",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100% }\n"
        "test \"a\" {\n"
        " given rev = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary * kpi\n",
     {"29:8: error[K0205]: 'rev' is not a value", "help: name a field: rev.plan, rev.fact, rev.index, rev.score"}},
    {"t_given_table",
        "test \"a\" {\n"
        " given deals = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:8: error[K0205]: 'deals' is not a value", "help: name a field or a column: deals.NAME"}},
    {"t_given_unknown",
        "test \"a\" {\n"
        " given zzzzzz = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:8: error[K0201]: unknown name 'zzzzzz'"}},
    {"t_given_unknown2",
        "let salary_x = s.salary\n"
        "test \"a\" {\n"
        " given salary_y = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = salary_x\n",
     {"29:8: error[K0201]: unknown name 'salary_y'", "help: did you mean 'salary_x'?"}},
    {"t_given_notname",
        "test \"a\" {\n"
        " given 5 = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:8: error[K1101]: expected a name before '='", "help: a param, a let, kpi, bonus, INDICATOR.plan, TEAM.FIELD or TABLE.COLUMN"}},
    {"t_given_value_nofields",
        "let y = s.salary\n"
        "test \"a\" {\n"
        " given y.z = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = y\n",
     {"29:8: error[K0205]: 'y' has no fields"}},
    {"t_given_bad_indfield",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100% }\n"
        "test \"a\" {\n"
        " given rev.scor = 1\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary * kpi\n",
     {"29:12: error[K0206]: an indicator has no field 'scor'", "help: did you mean 'score'?"}},
    {"t_given_bad_teamfield",
        "team t { n = count(s.id) }\n"
        "test \"a\" {\n"
        " given t.m = 1\n"
        " expect payout = 1\n"
        "}\n"
        "let x \"X\" = t.n\n"
        "payout = s.salary\n",
     {"29:10: error[K0206]: team 't' has no field 'm'", "help: did you mean 'n'?"}},
    {"t_given_team_type",
        "team t { n = max(s.hired) }\n"
        "test \"a\" {\n"
        " given t.n = 5\n"
        " expect payout = 1\n"
        "}\n"
        "let x \"X\" = t.n\n"
        "payout = s.salary\n",
     {"29:14: error[K0301]: 't.n' is a date, and this value is a number"}},
    {"t_given_notconst",
        "test \"a\" {\n"
        " given s.salary = s.salary\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:19: error[K1101]: not a constant", "help: a value here is a number (1300000, 12.5, 120%), a text in quotes, true, false, blank or a date (2026-10-05)"}},
    {"t_given_toomany_digits",
        "test \"a\" {\n"
        " given s.salary = 10.555\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:19: error[K1101]: column salary (money) cannot hold this number: it keeps 2 decimal places"}},
    {"t_given_blank_key",
        "test \"a\" {\n"
        " row deals { m: blank, on: 2026-01-02 }\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary + sum(amount from deals)\n",
     {"28:14: error[K1101]: this column is filled by the test", "help: it is the test's employee: write employee \"E01\""}},
    {"t_given_wrongtype",
        "test \"a\" {\n"
        " given s.salary = \"x\"\n"
        " expect payout = 1\n"
        "}\n"
        "payout = s.salary\n",
     {"28:19: error[K0301]: 's.salary' is a number, and this value is a text"}},

    {"guard_other_expr",
        "let x \"X\" = if s.rate * 2 != 0 then s.salary / (s.rate * 3) else 0\n"
        "payout = s.salary\n",
     {"27:37: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"guard_lt",
        "let x \"X\" = if s.rate < 0 then s.salary / s.rate else 0\n"
        "payout = s.salary\n",
     {"27:32: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"band_rev_ops",
        "let x \"X\" = bands {\n"
        " 1 > s.rate -> 1\n"
        " 1 = s.rate -> 2\n"
        " 2 >= s.rate -> 3\n"
        " 3 <= s.rate -> 4\n"
        "}\n"
        "payout = s.salary\n",
     {"27:13: error[K0701]: no band for 2 < x < 3", "help: add a band: 2 < x < 3 -> ..., or an else row"}},
    {"band_falling",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100%\n"
        " score = bands {\n"
        "  index < 50% -> 1\n"
        "  index >= 50% -> 0\n"
        " } }\n"
        "payout = s.salary * kpi\n",
     {"30:3: warning[K0705]: a higher index gives a lower score here", "help: if that is meant (a penalty above a range), write allow K0705"}},
    {"finite_nested",
        "let k = bands {\n"
        " s.rate < 1 -> 1\n"
        " else -> 2\n"
        "}\n"
        "let y = if s.salary > 0 then k else 3\n"
        "let x \"X\" = bands {\n"
        " y = 1 -> 10\n"
        " y = 2 -> 20\n"
        "}\n"
        "payout = s.salary\n",
     {"32:13: error[K0701]: no band for y = 3", "help: y can be only these values; add a band for this one, or an else row"}},
    {"finite_gap_bands",
        "let k = bands {\n"
        " s.rate < 1 -> 1\n"
        " else -> 2\n"
        "}\n"
        "let x \"X\" = bands {\n"
        " k = 1 -> 10\n"
        "}\n"
        "payout = s.salary\n",
     {"31:13: error[K0701]: no band for k = 2", "help: k can be only these values; add a band for this one, or an else row"}},
    {"div_by_plan_col",
        "let x \"X\" = s.salary / plan.margin\n"
        "payout = s.salary\n",
     {"27:13: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"div_by_team",
        "team t { tot = sum(s.salary) }\n"
        "let x \"X\" = s.salary / t.tot\n"
        "payout = s.salary\n",
     {"28:13: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"div_by_roster_nonzero",
        "let x \"X\" = s.salary / s.rate\n"
        "payout = s.salary\n",
     {"27:13: warning[K0802]: this divides by a value that can be zero", "help: say what the result is then: ... default 0, or if x = 0 then ... else .../x"}},
    {"shadow_twice",
        "param amount = 5\n"
        "let x \"X\" = sum(amount from deals) + sum(amount from deals where amount > 0)\n"
        "payout = s.salary + x\n",
     {"28:17: warning[K0804]: 'amount' here is the table's column, not the param declared with that name", "help: rename one of them"}},
    {"row_uses_emp_value",
        "let y = s.salary\n"
        "let x \"X\" = sum(amount from deals where amount > y)\n"
        "payout = s.salary\n",
     {"28:50: error[K0302]: 'y' differs from employee to employee", "help: a row expression can use only the table's columns and constants"}},
    {"row_roster_col",
        "let x \"X\" = sum(amount from deals where amount > s.salary)\n"
        "payout = s.salary\n",
     {"27:50: error[K0302]: 's.salary' differs from employee to employee", "help: a row expression can use only the table's columns and constants"}},
    {"dept_plan_no_dept",
        "roster s2 from \"r2.csv\" { employee id: text }\n"
        "plans dp from \"dp.csv\" { department d: text\n"
        " period month: period\n"
        " x: money }\n"
        "let v \"V\" = dp.x\n"
        "payout = v\n",
     {"27:8: error[K0401]: a scheme has one roster"}},
    {"bands_empty",
        "let x \"X\" = bands { }\n"
        "payout = s.salary\n",
     {"27:13: error[K0101]: bands has no rows", "help: write a row a line: CONDITION -> VALUE, and last else -> VALUE"}},
    {"range_unknown",
        "let x \"X\" = sum(q1..q5 from deals)\n"
        "payout = s.salary\n",
     {"27:17: error[K0202]: table 'deals' has no column 'q4'", "help: did you mean 'q1'?"}},
    {"range_bad",
        "let x \"X\" = sum(q3..q1 from deals)\n"
        "payout = s.salary\n",
     {"27:17: error[K0106]: range q3..q1 must count up, by at most 1000 names"}},
    {"agg_types_mixed",
        "let x \"X\" = sum(amount, q1 from deals)\n"
        "payout = s.salary\n",
     {"27:13: error[K0501]: one value is money, the other a plain number"}},
    {"agg_minmax_text",
        "let x \"X\" = min(status from deals)\n"
        "payout = s.salary\n",
     {"27:17: error[K0301]: min and max need numbers or dates"}},
    {"count_table_not_fact",
        "let x \"X\" = count(s)\n"
        "payout = s.salary\n",
     {"27:13: error[K0306]: count needs the table it aggregates", "help: write count(COLUMN from TABLE)"}},
    {"count_plain_nofrom",
        "let x \"X\" = count(5)\n"
        "payout = s.salary\n",
     {"27:13: error[K0306]: count needs the table it aggregates", "help: write count(COLUMN from TABLE)"}},
    {"round_step_neg",
        "let x \"X\" = round(s.salary, -1)\n"
        "payout = s.salary\n",
     {"27:29: error[K0305]: the rounding step must be positive"}},
    {"ws_list",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 60% }\n"
        "indicator mar { fact = sum(amount - cost from deals); plan = plan.margin; weight = 40% }\n"
        "kpi = weighted_sum(rev, mar)\n"
        "payout = s.salary * kpi\n",
     {"28:11: warning[K0802]: the index of 'mar' divides by its plan, which can be zero", "help: declare the plan's column nonzero, or write index = fact / plan default 0"}},
    {"ws_noweight",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "kpi = weighted_sum(rev)\n"
        "payout = s.salary * kpi\n",
     {"27:11: error[K0407]: indicator 'rev' has no weight", "help: weighted_sum adds weight × score; give it weight = 30%, or leave it out of the sum"}},
    {"sum_noweight_role",
        "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n"
        "indicator mar { fact = sum(amount - cost from deals); plan = plan.margin; weight = 40% }\n"
        "roles by s.grade { \"a\": rev, mar 100% }\n"
        "payout = s.salary * kpi\n",
     {"27:11: error[K0407]: indicator 'rev' has no weight", "help: give it a weight in the role \"a\", or weight = ... in the indicator"}},
    {"unused_scale",
        "scale sc(x) = x * 2\n"
        "payout = s.salary\n",
     {"27:7: warning[K0803]: scale 'sc' is not used", "help: remove it, or write allow K0803 if it documents the input"}},
    {"scale_args",
        "scale sc(x, y) = x * y\n"
        "let x \"X\" = sc(1)\n"
        "payout = s.salary\n",
     {"28:13: error[K0305]: scale 'sc' needs the parameter 'y'"}},
    {"scale_bad_name",
        "scale sc(x, y = 2) = x * y\n"
        "let x \"X\" = sc(1, z: 2)\n"
        "payout = s.salary\n",
     {"28:19: error[K0305]: scale 'sc' has no parameter 'z'"}},
    {"scale_too_many",
        "scale sc(x) = x\n"
        "let x \"X\" = sc(1, 2)\n"
        "payout = s.salary\n",
     {"28:19: error[K0305]: scale 'sc' takes 1 argument"}},

};

/* Compiles HEAD + body with the overrides; the rendered diagnostics and the
 * disassembly (empty when it does not compile); kpi_malloc'd. */
static char *compile_case(const char *body, const CompileOverride *set, size_t nset, char **listing)
{
    size_t n = strlen(HEAD) + strlen(body) + 1;
    char *text = kpi_malloc(n);
    snprintf(text, n, "%s%s", HEAD, body);
    CompileOptions o = {.overrides = set, .noverrides = nset};
    Compilation c;
    compilation_init(&c);
    bool ok = compile_text(&c, "t.kpi", text, strlen(text), &o);
    diag_sort(&c.diags);
    Buf b = BUF_INIT, l = BUF_INIT;
    diag_render(&c.diags, &c.sources, &b);
    if (ok)
        disasm_program(c.program, &l);
    *listing = kpi_strdup(buf_cstr(&l));
    char *msgs = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    buf_free(&l);
    compilation_free(&c);
    kpi_free(text);
    return msgs;
}

/* Reports (does not stop at) a case whose output lacks a wanted text. */
static int expect_in(const char *what, const char *text, const char *want)
{
    if (!want || strstr(text, want))
        return 0;
    print_message("%s: expected\n  %s\nin:\n%s\n", what, want, text);
    return 1;
}

static void test_diagnostics(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *listing, *msgs = compile_case(cases[i].body, NULL, 0, &listing);
        for (int k = 0; k < 2; k++)
            failed += expect_in(cases[i].what, msgs, cases[i].want[k]);
        kpi_free(msgs);
        kpi_free(listing);
    }
    assert_int_equal(failed, 0);
}


/* Schemes that compile cleanly: what the listing must show (a folded
 * constant, a failing band), and what the diagnostics must not (a check
 * that would be wrong to fire). */
typedef struct Clean {
    const char *what, *body, *listing_has, *msgs_lack;
} Clean;

static const Clean clean[] = {
    {"constant folding of != <= and or, unary +, max, abs, is_blank, default",
     "param a = 3\nparam b = 4\n"
     "let x \"X\" = if a != b and (a <= b or a > 10) then +a else -b\n"
     "let y \"Y\" = max(a, b, 2) + abs(-a) + (if is_blank(a) then 1 else 0) + (a default 7)\n"
     "payout = s.salary\n",
     "; r2=x k0=3\n", "error"},
    {"folded bands skip the rows that are false",
     "param a = 3\nlet x \"X\" = bands {\n a > 5 -> 1\n a > 1 -> 2\n else -> 3\n}\npayout = s.salary\n",
     "; r1=x k1=2\n", "error"},
    {"folded bands where no row holds fail at run time",
     "param a = 3\nlet x \"X\" = bands {\n a > 5 -> 1\n a > 4 -> 2\n}\npayout = s.salary\n",
     "FAIL         r1 no band matches the value ; r1=x\n", "error"},
    {"folded bands whose first row holds are its value",
     "param a = 3\nlet x \"X\" = bands {\n a > 1 -> 1\n else -> 3\n}\npayout = s.salary\n",
     "; r1=x k1=1\n", "error"},
    {"a band for each value an if can give leaves no gap",
     "let k = if s.salary > 100 then 1 else 2\nlet x \"X\" = bands {\n k = 1 -> 10\n k = 2 -> 20\n}\n"
     "payout = s.salary\n",
     "EQ", "K0701"},
    {"a comparison written constant first is the same band",
     "let x \"X\" = bands {\n 1 > s.rate -> 1\n 1 <= s.rate -> 2\n}\npayout = s.salary\n", "GT", "K070"},
    {"bands over two subjects, and and != rows, are not checked as ranges",
     "let x \"X\" = bands {\n s.rate > 1 and s.rate < 2 -> 1\n s.rate != 5 -> 2\n s.salary > 2 -> 3\n else -> 4\n}\n"
     "payout = s.salary\n",
     "AND", "K070"},
    {"an else row after a higher band is not a falling score",
     "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100%\n"
     " score = bands {\n  index < 50% -> 1\n  else -> 0\n } }\npayout = s.salary * kpi\n",
     "r4=rev.raw_score", "K0705"},
    {"a team grouped by another roster column, of dates, filtered by an index",
     "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100% }\n"
     "team t by s.grade { last = max(s.hired)\n met = count(s.id where rev.index >= 1) }\n"
     "let x \"X\" = t.last\nlet y \"Y\" = t.met\npayout = s.salary * kpi\n",
     "team field t.met = count(r11) where r12, before stratum 1\n", "error"},
    {"a guard x = 0 makes the else branch safe to divide by x",
     "let x \"X\" = if s.rate = 0 then 0 else s.salary / s.rate\npayout = s.salary\n", "; r0=x k0=0\n", "K0802"},
    {"a guard x * 2 != 0 makes x * 2 safe",
     "let x \"X\" = if s.rate * 2 != 0 then s.salary / (s.rate * 2) else 0\npayout = s.salary\n", "; r0=x k1=0\n",
     "K0802"},
    {"a guard -x > 0 makes -x safe",
     "let x \"X\" = if -s.rate > 0 then s.salary / -s.rate else 0\npayout = s.salary\n", "; r0=x k0=0\n", "K0802"},
    {"bands over two subjects are not checked for gaps",
     "let x \"X\" = bands {\n s.rate < 1 -> 1\n s.salary >= 1 -> 2\n}\npayout = s.salary\n", "; r0=x k1=2\n", "K070"},
    {"an if whose branches give one value has one band to cover",
     "let k = if s.rate > 1 then 1 else 1\nlet x \"X\" = bands {\n k = 1 -> 10\n}\npayout = s.salary\n",
     "; r1=x k1=10\n", "K070"},
    {"bands of texts", "let x \"X\" = bands {\n s.grade = \"a\" -> \"x\"\n else -> \"y\"\n}\npayout = s.salary\n",
     "; r0=x k2=\"y\"\n", "error"},
    {"contribution and kpi by name",
     "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100% }\n"
     "let x \"X\" = rev.contribution\nlet k \"K\" = kpi\npayout = s.salary * x\n",
     "; r10=kpi r8=rev.contribution\n", "error"},
    {"max of a date column", "let x \"X\" = max(on from deals)\npayout = s.salary\n", "agg g0 = max(v0)  ; line 27\n", "error"},
    {"a weighted sum of no indicators is 0", "kpi = weighted_sum()\npayout = s.salary * kpi\n",
     "; r0=kpi k0=0\n", "error"},
    {"weighted_sum of listed indicators whose weights add up",
     "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 60% }\n"
     "indicator mar { fact = sum(amount - cost from deals); plan = plan.margin; weight = 40% }\n"
     "kpi = weighted_sum(rev, mar)\npayout = s.salary * kpi\n",
     "agg g1 = sum(v2)", "K0801"},
    {"a scale parameter hides a roster column's name", "scale sc(salary) = salary * 2\nlet x \"X\" = sc(1)\n"
     "payout = s.salary\n", "; r0=x k0=2\n", "error"},
    {"a team filtered by another team's field comes a stage later",
     "team a { x = sum(s.salary) }\nteam t { n = count(s.id where a.x > 0) }\nlet v \"V\" = t.n\npayout = s.salary\n",
     "team field t.n = count(r0) where r2, before stratum 2\n", "error"},
    {"a text default", "let x \"X\" = s.grade default \"none\"\npayout = s.salary\n", "DEFAULT", "error"},
};

static void test_clean(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof clean / sizeof *clean; i++) {
        char *listing, *msgs = compile_case(clean[i].body, NULL, 0, &listing);
        failed += expect_in(clean[i].what, listing, clean[i].listing_has);
        if (strstr(msgs, clean[i].msgs_lack)) {
            print_message("%s: unexpected %s in:\n%s\n", clean[i].what, clean[i].msgs_lack, msgs);
            failed++;
        }
        kpi_free(msgs);
        kpi_free(listing);
    }
    assert_int_equal(failed, 0);
}

/* Table settings: what the compiled table reads. */
static const Program *compile_settings(const char *settings, Program **out)
{
    char body[512];
    snprintf(body, sizeof body,
             "facts f2 from \"f.csv\" { %s\n employee m: text\n date on: date\n sc: score\n"
             " sz: score empty zero }\nlet x \"X\" = avg(sc from f2) + avg(sz from f2)\npayout = s.salary\n",
             settings);
    size_t n = strlen(HEAD) + strlen(body) + 1;
    char *text = kpi_malloc(n);
    snprintf(text, n, "%s%s", HEAD, body);
    char *m = compile_msgs(text, out);
    kpi_free(text);
    kpi_free(m);
    assert_non_null(*out);
    return *out;
}

static void test_table_settings(void **state)
{
    (void)state;
    Program *p;
    const TableSpec *t = &compile_settings("format ru\n format iso", &p)->tables[3];
    assert_int_equal(t->dialect.delimiter, ',');
    assert_int_equal(t->dialect.num.decimal_point, '.');
    assert_int_equal(t->dialect.date, DATE_ISO);
    assert_int_equal(t->cols[2].empty, EMPTY_BLANK);
    free_program(p);
    t = &compile_settings("delimiter \"\\t\"\n dates \"DD.MM.YYYY\"\n dates \"YYYY-MM-DD\"\n empty zero", &p)->tables[3];
    assert_int_equal(t->dialect.delimiter, '\t');
    assert_int_equal(t->dialect.date, DATE_ISO);
    assert_int_equal(t->dialect.empty, EMPTY_ZERO);
    assert_int_equal(t->cols[0].empty, EMPTY_ZERO);
    /* a blank score means "did not apply" where the table reads empty as zero,
     * unless the column itself says empty zero */
    assert_int_equal(t->cols[2].empty, EMPTY_BLANK);
    assert_int_equal(t->cols[3].empty, EMPTY_ZERO);
    free_program(p);
}

/* kpirun --set NAME=VALUE: the value it becomes, or the message. */
typedef struct SetCase {
    const char *what, *body, *name, *value, *want;
} SetCase;

static const SetCase sets[] = {
    {"a text let", "let g \"G\" = s.grade\n", "g", "\"x\"", "; r0=g k0=\"x\"\n"},
    {"a bool let", "let g \"G\" = count(deals where paid) > 0\n", "g", "true", "; r0=g k0=true\n"},
    {"a date let", "let g \"G\" = s.hired\n", "g", "2026-01-05", "; r0=g k0=2026-01-05\n"},
    {"a param with a decimal comma", "param r \"R\" = 1\nlet g \"G\" = r * 2\n", "r", "1,5", "; r1=g k1=3\n"},
    {"a team field of dates", "team t { n = max(s.hired) }\nlet g \"G\" = t.n\n", "t.n", "2026-01-01",
     "k0=2026-01-01"},
    {"a team field of dates, set to a number", "team t { n = max(s.hired) }\nlet g \"G\" = t.n\n", "t.n", "5",
     "<command line>:1:11: error[K0301]: 't.n' is a date, and this value is a number"},
    {"kpi, which the scheme does not define", "", "kpi", "1",
     "<command line>:1:7: error[K0201]: the scheme does not define kpi"},
    {"NAME=VALUE=VALUE", "param r = 1\n", "r", "1=2", "<command line>:1:7: error[K1102]: expected NAME=VALUE"},
    {"a number for a name", "param r = 1\n", "5", "1", "error[K1102]: expected a name before '='"},
    {"a field of a value", "let y \"Y\" = s.salary\n", "y.z", "1", "error[K0205]: 'y' has no fields"},
    {"a table", "", "deals", "1", "help: name a field or a column: deals.NAME"},
    {"a fact column", "", "deals.q1", "0.5", "error[K1102]: 'deals' is a fact table: it has many rows per employee"},
    {"an indicator", "indicator rev { fact = sum(amount from deals); plan = plan.revenue; weight = 100% }\n", "rev",
     "1", "help: name a field: rev.plan, rev.fact, rev.index, rev.score"},
    {"an indicator field far from any", "indicator rev { fact = sum(amount from deals); plan = plan.revenue }\n",
     "rev.zzzzzz", "1", "help: fields: fact, plan, index, score, weight, contribution"},
    {"a name near another", "param rate_x = 1\n", "rate_y", "1", "help: did you mean 'rate_x'?"},
    {"a percentage with a decimal comma", "param r \"R\" = 1\nlet g \"G\" = r * 2\n", "r", "12,5%", "; r1=g k1=0.25\n"},
    {"blank", "let g \"G\" = s.grade\n", "g", "blank", "; r0=g k0=blank\n"},
    {"a decimal roster column", "let g \"G\" = s.rate\n", "s.rate", "2", "k0=2"},
};

static void test_set(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
        char body[512];
        snprintf(body, sizeof body, "%spayout = s.salary\n", sets[i].body);
        CompileOverride o = {sets[i].name, sets[i].value};
        char *listing, *msgs = compile_case(body, &o, 1, &listing);
        char *both = kpi_malloc(strlen(msgs) + strlen(listing) + 1);
        strcpy(both, msgs);
        strcat(both, listing);
        failed += expect_in(sets[i].what, both, sets[i].want);
        kpi_free(both);
        kpi_free(msgs);
        kpi_free(listing);
    }
    assert_int_equal(failed, 0);
}

/* Whole schemes, without HEAD: a roster without a department, an import. */
static const Case whole[] = {
    {"a team without 'by' needs a department column",
     "roster s from \"r.csv\" { employee id: text\n salary: money }\nteam t { n = count(s.id) }\n"
     "let x \"X\" = t.n\npayout = s.salary\n",
     {"3:6: error[K0405]: team 't' needs a department column in the roster",
      "help: mark it in the roster (department dept: text) or write: team t by s.COLUMN"}},
    {"a name the imported module declares",
     "import scales\nroster s from \"r.csv\" { employee id: text\n salary: money }\nscale linear(x) = x\n"
     "payout = s.salary\n",
     {"4:7: error[K0204]: 'linear' is already declared", "note: the scale 'linear' is declared in <stdlib>/scales.kpi"}},
};

static void test_whole_schemes(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof whole / sizeof *whole; i++) {
        Program *p;
        char *msgs = compile_msgs(whole[i].body, &p);
        for (int k = 0; k < 2; k++)
            failed += expect_in(whole[i].what, msgs, whole[i].want[k]);
        kpi_free(msgs);
        free_program(p);
    }
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diagnostics),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_table_settings),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_whole_schemes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
