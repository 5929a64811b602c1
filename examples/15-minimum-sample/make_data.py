# make_data.py - generates sales.csv and contacts.csv for example 15.
# Deterministic (fixed seed); rerun with: python3 make_data.py
import datetime
import random

random.seed(15)
days = [datetime.date(2026, 10, d) for d in range(1, 32)]


def rub(kop):
    """1234567 kopecks -> '12 345,67' (format ru)"""
    r, k = divmod(kop, 100)
    s = f"{r:,}".replace(",", " ")
    return f"{s},{k:02d}"


# One row per receipt (чек) from the cash register, format ru.
# Е-301: 104 receipts, Е-302: exactly 100, Е-303: only 37 (but big ones).
counts = {"Е-301": (104, 2500_00, 7500_00), "Е-302": (100, 2000_00, 6500_00), "Е-303": (37, 6000_00, 12000_00)}
rows = []
n = 1000
for emp, (cnt, lo, hi) in counts.items():
    for i in range(cnt):
        n += 1
        rows.append((random.choice(days), emp, f"Ч-{n}", random.randint(lo, hi)))
# receipts outside October
rows += [(datetime.date(2026, 9, 30), "Е-301", "Ч-0998", 4100_00),
         (datetime.date(2026, 9, 30), "Е-303", "Ч-0999", 11500_00),
         (datetime.date(2026, 11, 1), "Е-302", "Ч-2001", 3900_00)]
rows.sort()
with open("sales.csv", "w", encoding="utf-8") as f:
    f.write("Дата;Продавец;Чек;Сумма\n")
    for d, emp, no, kop in rows:
        f.write(f"{d:%d.%m.%Y};{emp};{no};{rub(kop)}\n")

# Weekly CRM summary of contacts per channel, ISO format.
channels = {"встреча": (0.30, 0.55), "звонок": (0.05, 0.15), "соцсети": (0.02, 0.08), "почта": (0.01, 0.05)}
weeks = [datetime.date(2026, 10, d) for d in (2, 9, 16, 23, 30)]
out = []
for emp in counts:
    for w in weeks:
        for ch, (plo, phi) in channels.items():
            if emp == "Е-303" and ch == "почта":
                continue  # Е-303 does not work by e-mail at all
            k = {"встреча": random.randint(4, 12), "звонок": random.randint(40, 90),
                 "соцсети": random.randint(20, 60), "почта": random.randint(30, 80)}[ch]
            p = round(k * random.uniform(plo, phi))
            out.append((w, emp, ch, k, p))
out += [(datetime.date(2026, 9, 25), "Е-301", "встреча", 9, 9), (datetime.date(2026, 11, 6), "Е-303", "почта", 50, 50)]
out.sort()
with open("contacts.csv", "w", encoding="utf-8") as f:
    f.write("Неделя по,Продавец,Канал,Контактов,Покупок\n")
    for w, emp, ch, k, p in out:
        f.write(f"{w.isoformat()},{emp},{ch},{k},{p}\n")
