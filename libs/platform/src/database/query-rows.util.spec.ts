import { returnedRows } from './query-rows.util.js';

describe('returnedRows', () => {
  it('unpacks the [rows, affectedCount] of an UPDATE or DELETE', () => {
    expect(returnedRows([[{ id: 1 }], 1])).toEqual([{ id: 1 }]);
    expect(returnedRows([[], 0])).toEqual([]);
  });

  it('takes the rows of a SELECT or INSERT as they are', () => {
    expect(returnedRows([{ id: 1 }, { id: 2 }])).toEqual([{ id: 1 }, { id: 2 }]);
    expect(returnedRows([])).toEqual([]);
  });
});
