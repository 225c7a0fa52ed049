"""Writing topics: what a prompt asks about, the words that show an answer is about it, and short true facts.

Facts are written without commas and kept short so that reference answers fit a 48-token budget and can meet
every constraint the prompts ask for (a comma ban, word limits, sentence counts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str  # as it reads in a prompt: "the ocean"
    stems: frozenset[str]  # lowercase words any one of which shows an answer is on topic
    facts: tuple[str, ...]

    @property
    def keywords(self) -> tuple[str, ...]:
        """Topic words that occur in the facts: candidates for "use the word" / "do not use the word"."""
        used = {w.strip(".!?").lower() for fact in self.facts for w in fact.split()}
        return tuple(sorted(s for s in self.stems if len(s) >= 4 and s in used))


def _topic(name: str, stems: str, *facts: str) -> Topic:
    own = {w for w in name.lower().split() if w != "the"}
    return Topic(name, frozenset(stems.split()) | own, facts)


TOPICS: tuple[Topic, ...] = (
    _topic(
        "the ocean",
        "ocean oceans sea seas wave waves water tide tides "
        "coral reefs fish whale whales marine salty beach shore ships",
        "The ocean covers most of the surface of the Earth.",
        "Ocean water is salty because rivers carry minerals into the sea.",
        "Waves are made by wind blowing across the water.",
        "Coral reefs are home to many kinds of fish.",
    ),
    _topic(
        "honey bees",
        "bee bees honey hive hives flower flowers pollen nectar queen insect insects buzz",
        "Honey bees live together in large hives.",
        "Bees carry pollen from flower to flower.",
        "Each hive has one queen that lays the eggs.",
        "Bees turn nectar into honey to eat in winter.",
    ),
    _topic(
        "the moon",
        "moon lunar orbit orbits earth tides craters night phases astronauts apollo",
        "The moon orbits the Earth about once a month.",
        "The moon has many craters made by old impacts.",
        "People first walked on the moon in 1969.",
        "The moon looks different each night because of its phases.",
    ),
    _topic(
        "bicycles",
        "bicycle bicycles bike bikes cycling ride riding pedal pedals wheels tires chain cyclist cyclists bicycling",
        "A bicycle turns the push of your legs into motion.",
        "Riding a bike is good exercise for the heart.",
        "Bikes need air in the tires and oil on the chain.",
        "Many people ride bicycles to work in busy cities.",
    ),
    _topic(
        "volcanoes",
        "volcano volcanoes volcanic lava magma eruption erupt ash islands eruptions erupted",
        "A volcano is an opening where magma reaches the surface.",
        "Lava is melted rock that flows out during an eruption.",
        "Volcanic ash can travel far on the wind.",
        "Some islands were built by volcanoes over many years.",
    ),
    _topic(
        "coffee",
        "coffee bean beans caffeine cup brew roasted espresso drink cafe barista",
        "Coffee is made from the roasted seeds of a plant.",
        "The caffeine in coffee helps people feel awake.",
        "Coffee beans grow in warm places near the equator.",
        "Many people drink a cup of coffee every morning.",
    ),
    _topic(
        "rainforests",
        "rainforest rainforests forest forests trees tree rain "
        "jungle plants animals oxygen amazon wildlife biodiversity",
        "Rainforests get heavy rain for most of the year.",
        "Many animals and plants live only in rainforests.",
        "Tall trees in the forest form a thick green roof.",
        "Rainforests make a large share of the oxygen we breathe.",
    ),
    _topic(
        "chess",
        "chess board king queen pawn pawns knight checkmate "
        "game pieces players chessboard strategy rook bishop grandmaster",
        "Chess is a game for two players on a board of 64 squares.",
        "Each player starts with sixteen pieces.",
        "The goal is to checkmate the king of the other player.",
        "A knight moves in the shape of the letter L.",
    ),
    _topic(
        "sleep",
        "sleep sleeping asleep rest dream dreams night bed tired brain insomnia nap naps rem",
        "Sleep lets the body and brain rest and repair.",
        "Most adults need seven to nine hours of sleep each night.",
        "Most dreams happen during a stage called REM sleep.",
        "Going to bed at the same time every night helps you sleep well.",
    ),
    _topic(
        "recycling",
        "recycle recycling recycled waste plastic paper glass bin bins trash landfills reuse sustainability",
        "Recycling turns old materials into new products.",
        "Paper and glass and metal cans can often be recycled.",
        "Recycling means less waste goes to landfills.",
        "Plastic should be clean before it goes in the recycling bin.",
    ),
    _topic(
        "dogs",
        "dog dogs puppy puppies pet pets bark walk breed breeds smell canine",
        "Dogs were the first animals that humans tamed.",
        "A dog needs a walk and some play every day.",
        "There are hundreds of dog breeds of every size.",
        "Dogs use their strong sense of smell to explore.",
    ),
    _topic(
        "the sun",
        "sun solar star light heat sunlight energy sky hydrogen sunshine sunny stars",
        "The sun is a star at the center of our solar system.",
        "Sunlight takes about eight minutes to reach the Earth.",
        "Plants use the energy of the sun to grow.",
        "The sun is made mostly of hydrogen and helium gas.",
    ),
    _topic(
        "gardening",
        "garden gardens gardening plant plants soil seeds grow growing flowers vegetables gardener gardeners",
        "Gardening means growing plants for food or beauty.",
        "Good soil and sunlight help a garden grow.",
        "Seeds need water and warmth to sprout.",
        "Many people grow vegetables in small home gardens.",
    ),
    _topic(
        "the piano",
        "piano pianos key keys music musical play notes instrument hammer pianist melody",
        "The piano is a musical instrument with 88 keys.",
        "Pressing a key makes a small hammer strike a string.",
        "Learning to play the piano takes daily practice.",
        "The piano can play both low and high notes.",
    ),
    _topic(
        "trains",
        "train trains rail rails railway railways track tracks station stations passengers locomotive subway",
        "Trains run on steel rails between stations.",
        "A train can carry hundreds of passengers at once.",
        "Fast trains in some countries go over 300 kilometers an hour.",
        "The first railways were built about two hundred years ago.",
    ),
    _topic(
        "snow",
        "snow snowflake snowflakes snowmen winter cold ice frozen freezes flakes snowfall snowy skiing",
        "Snow forms when water vapor freezes in cold clouds.",
        "Every snowflake has six sides.",
        "Fresh snow can keep the ground warm like a blanket.",
        "Children like to build snowmen in winter.",
    ),
    _topic(
        "bread",
        "bread flour dough yeast bake baked baking oven loaf bakery baker wheat",
        "Bread is made from flour and water and yeast.",
        "Yeast makes the dough rise by making gas.",
        "A loaf of bread bakes in a hot oven.",
        "People have baked bread for thousands of years.",
    ),
    _topic(
        "the internet",
        "internet online web website websites computers network data email packets digital browser wifi",
        "The internet is a global network of computers.",
        "Websites are pages that people visit online.",
        "Data travels across the internet in small packets.",
        "Email lets people send messages around the world in seconds.",
    ),
    _topic(
        "elephants",
        "elephant elephants trunk tusks ivory herd herds animals mammal mammals",
        "Elephants are the largest land animals on Earth.",
        "An elephant uses its trunk to drink and grab food.",
        "Elephants live in family groups called herds.",
        "Elephants can remember places and friends for many years.",
    ),
    _topic(
        "soccer",
        "soccer football ball goal goals goalkeeper team teams players match field tournament sport league fifa",
        "Soccer is played by two teams of eleven players.",
        "Players try to kick the ball into the goal.",
        "Only the goalkeeper may touch the ball with the hands.",
        "The World Cup is the biggest soccer tournament.",
    ),
    _topic(
        "clouds",
        "cloud clouds sky rain water drops weather storms air cloudy cumulus",
        "Clouds are made of tiny drops of water or ice.",
        "Dark clouds often bring rain or storms.",
        "Clouds form when warm air rises and cools.",
        "Some clouds float high in the sky like thin feathers.",
    ),
    _topic(
        "reading books",
        "book books reading read reader readers stories story "
        "library libraries pages words novel novels literature author",
        "Reading books helps people learn new words.",
        "A good story can take a reader to another world.",
        "Libraries lend books to people for free.",
        "Reading before bed can help you relax.",
    ),
    _topic(
        "mountains",
        "mountain mountains peak peaks climb climbing summit hiking everest alps himalayas hike",
        "Mountains form when parts of the Earth push together.",
        "Mount Everest is the tallest mountain above sea level.",
        "The air gets thin near the top of high mountains.",
        "Many people enjoy hiking and climbing in the mountains.",
    ),
    _topic(
        "cats",
        "cat cats kitten kittens pet pets purr fur whiskers hunt feline felines",
        "Cats sleep for many hours each day.",
        "A cat uses its whiskers to feel its way.",
        "Cats purr when they are calm and happy.",
        "Kittens learn to hunt by playing.",
    ),
    _topic(
        "drinking water",
        "water drink drinking river rivers rain ice thirsty body healthy hydration hydrated hydrate",
        "All living things need water to survive.",
        "Drinking water keeps the body cool and healthy.",
        "Water freezes into ice at zero degrees Celsius.",
        "Rivers carry fresh water from the mountains to the sea.",
    ),
    _topic(
        "friendship",
        "friend friends friendship trust together kind kindness help friendships companionship",
        "Friendship is built on trust and kindness.",
        "Good friends listen and help each other.",
        "Spending time together makes a friendship stronger.",
        "Friends can make hard days feel easier.",
    ),
    _topic(
        "exercise",
        "exercise exercising workout fitness muscles heart run running walk walking healthy health exercises gym sport",
        "Regular exercise makes the heart and muscles stronger.",
        "Even a short walk each day is good exercise.",
        "Exercise can improve your mood and your sleep.",
        "Drink water and rest after a hard workout.",
    ),
    _topic(
        "the library",
        "library libraries books librarian librarians borrow read reading study ",
        "A library lets people borrow books for free.",
        "Librarians help visitors find what they need.",
        "Many libraries also lend movies and music.",
        "The library is a quiet place to read and study.",
    ),
    _topic(
        "birds",
        "bird birds fly flying wings feathers nest nests eggs migrate avian",
        "Birds are the only animals with feathers.",
        "Most birds can fly using their light wings.",
        "Birds build nests to keep their eggs safe.",
        "Some birds fly thousands of miles when they migrate.",
    ),
    _topic(
        "space travel",
        "space astronaut astronauts rocket rockets orbit planet planets "
        "spacecraft mars station spaceship nasa cosmos universe galaxy",
        "Rockets carry astronauts and machines into space.",
        "Astronauts live on the space station for months.",
        "A spacecraft must go very fast to reach orbit.",
        "Robots have explored the surface of Mars.",
    ),
    _topic(
        "tea",
        "tea teas leaves cup drink brew green black plant teapot chai",
        "Tea is made by soaking dried leaves in hot water.",
        "Green tea and black tea come from the same plant.",
        "Tea is the most popular drink in the world after water.",
        "Many people drink a cup of tea to relax.",
    ),
    _topic(
        "pizza",
        "pizza pizzas cheese dough tomato oven slice slices crust naples italian food dish toppings",
        "Pizza is a flat bread topped with tomato and cheese.",
        "Pizza first became popular in Naples in Italy.",
        "A hot oven makes the crust crisp.",
        "People often share a pizza by cutting it into slices.",
    ),
)

TOPIC_BY_NAME = {t.name: t for t in TOPICS}
