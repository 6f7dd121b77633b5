-- Starter fixture for pgdrill: replace with a small, representative copy of your schema and data.
create table customers (id integer primary key, name text not null);
create table orders (id integer primary key, customer_id integer not null references customers (id), total numeric(10, 2) not null);
insert into customers select i, 'customer ' || i from generate_series(1, 100) as i;
insert into orders select i, 1 + (i % 100), round((i * 7.31) % 500 + 5, 2) from generate_series(1, 1000) as i;
