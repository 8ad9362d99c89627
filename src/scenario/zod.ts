// zod, as every scenario module uses it. A scenario is parsed once per command: zod's compiled
// fast path for objects (built with `new Function` on an object schema's first parse) costs more
// to build than it saves on one parse, and building it was a fifth of `validate`'s start-up. The
// setting is read when each schema is made, so it is set here, before any schema exists.
//
// Modules import this one as a namespace (`import * as z`), never zod's own `z` object: the
// bundler then keeps only the functions they use. Handing on zod's namespace object would keep
// all of it, with every locale's messages (half of zod's code, parsed on every start).

import { config } from "zod";

config({ jitless: true });

export * from "zod";
