<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Form;

use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Session\AccountProxyInterface;
use Drupal\recipe_box\FavoritesManager;
use Drupal\recipe_box\IngredientScalerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Builds one combined shopping list from several favorite recipes.
 */
class ShoppingListForm extends FormBase {

  public function __construct(
    protected readonly FavoritesManager $favorites,
    protected readonly IngredientScalerInterface $scaler,
    protected readonly AccountProxyInterface $account,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('recipe_box.favorites'),
      $container->get('recipe_box.ingredient_scaler'),
      $container->get('current_user'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'recipe_box_shopping_list';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $form['recipes'] = [
      '#type' => 'table',
      '#header' => [$this->t('Recipe'), $this->t('Servings')],
      '#empty' => $this->t('Mark some recipes as favorites first.'),
    ];
    foreach ($this->favorites->load($this->account) as $nid => $recipe) {
      $form['recipes'][$nid]['include'] = [
        '#type' => 'checkbox',
        '#title' => $recipe->label(),
      ];
      $form['recipes'][$nid]['servings'] = [
        '#type' => 'number',
        '#title' => $this->t('Servings for @recipe', ['@recipe' => $recipe->label()]),
        '#title_display' => 'invisible',
        '#min' => 1,
        '#default_value' => (int) $recipe->get('field_servings')->value ?: 4,
      ];
    }
    if ($list = $form_state->get('list')) {
      $form['list'] = [
        '#theme' => 'recipe_box_shopping_list',
        '#items' => $list['items'],
        '#recipes' => $list['recipes'],
        '#weight' => -10,
      ];
    }
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = ['#type' => 'submit', '#value' => $this->t('Make shopping list')];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $chosen = array_filter((array) $form_state->getValue('recipes'), static fn (array $row): bool => !empty($row['include']));
    if (!$chosen) {
      $form_state->setErrorByName('recipes', $this->t('Pick at least one recipe.'));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $recipes = $this->favorites->load($this->account);
    $selection = [];
    $titles = [];
    foreach ((array) $form_state->getValue('recipes') as $nid => $row) {
      if (empty($row['include']) || !isset($recipes[$nid])) {
        continue;
      }
      $recipe = $recipes[$nid];
      $written_for = (int) $recipe->get('field_servings')->value ?: 4;
      $selection[] = [
        'lines' => array_column($recipe->get('field_ingredients')->getValue(), 'value'),
        'factor' => (int) $row['servings'] / $written_for,
      ];
      $titles[] = $recipe->label();
    }
    $form_state->set('list', ['items' => $this->scaler->combine($selection), 'recipes' => $titles]);
    $form_state->setRebuild();
  }

}
