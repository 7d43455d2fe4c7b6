// Reads [{id, query}] as JSON on stdin, prints [{id, errors, warnings}] as JSON on stdout.
// Uses Neo4j's own Cypher language support (the parser of their editors); no server needed.
const ls = require('@neo4j-cypher/language-support');

const UNDEFINED_PARAM = /Parameter \$\w+ is not defined/;

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const statements = JSON.parse(input);
  const results = statements.map(({ id, query }) => {
    const { diagnostics } = ls.lintCypherQuery(query, {});
    const errors = [];
    const warnings = [];
    for (const d of diagnostics) {
      // parameters are supplied at run time; without a schema the linter cannot know them
      if (UNDEFINED_PARAM.test(d.message)) continue;
      const item = { message: d.message, offsets: d.offsets };
      if (d.severity === 1) errors.push(item);
      else warnings.push(item);
    }
    return { id, errors, warnings };
  });
  process.stdout.write(JSON.stringify(results));
});
