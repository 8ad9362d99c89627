// zod, as every scenario module uses it. A scenario is parsed once per command: zod's compiled
// fast path for objects (built with `new Function` on an object schema's first parse) costs more
// to build than it saves on one parse, and building it was a fifth of `validate`'s start-up. The
// setting is read when each schema is made, so it is set here, before any schema exists.

import * as z from "zod";

z.config({ jitless: true });

export { z };
